"""One test per private name of pulumi_policy that ``residency_policies.sdk_compat`` touches.

When an upgrade of pulumi-policy moves one of them, the test named after it fails here, instead of the pack
silently reporting at the wrong level or decoding wrongly in production.
"""

from __future__ import annotations

import threading

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk
from pulumi_policy.proxy import UnknownValueError

from residency_policies import sdk_compat
from residency_policies.compliance import Framework
from residency_policies.registry import ALL_POLICIES
from residency_policies.values import UNKNOWN
from tests.policies.in_process_servicer import Aborted, FakeContext, configure, servicer


@pytest.fixture(autouse=True)
def installed():
    sdk_compat.install()
    yield
    sdk_compat.end_request()


def test_the_pinned_pulumi_policy_has_every_private_name():
    assert sdk_compat.missing_names() == []
    assert sdk_compat.installed()


def test_create_report_violation_takes_the_response_it_appends_to():
    served = servicer(ALL_POLICIES)
    response = proto.AnalyzeResponse()
    report = served._create_report_violation(response, "p", "description", EnforcementLevel.MANDATORY)
    assert sdk_compat.can_report_at_level(report)
    sdk_compat.report_at_level(report, "lowered", "urn:x", EnforcementLevel.ADVISORY)
    (diag,) = response.diagnostics
    assert (diag.policyName, diag.message, diag.urn, diag.enforcementLevel) == ("p", "description\nlowered", "urn:x", proto.ADVISORY)


def test_configure_runs_the_pack_check_and_refuses_with_invalid_argument():
    calls = []

    def check(config):
        calls.append(config)
        return ["bad key"] if "bad" in config else []

    served = servicer(ALL_POLICIES, config_check=check)
    configure(served, {"good": ("advisory", {"k": 1})})
    assert calls[-1] == {"good": {"k": 1.0}}
    with pytest.raises(Aborted) as err:
        configure(served, {"bad": ("mandatory", None)})
    assert err.value.details == "invalid policy pack config:\n  bad key"
    sdk_compat.install(config_check=None)
    configure(served, {"bad": ("mandatory", None)})  # no check: accepted as pulumi_policy accepts it


@pytest.mark.parametrize("rpc", ["Analyze", "AnalyzeStack", "Remediate"])
def test_configure_runtime_settings_starts_each_request(rpc, monkeypatch):
    started = []
    monkeypatch.setattr(sdk_compat, "begin_request", lambda: started.append(threading.get_ident()))
    served = servicer(ALL_POLICIES)
    request = proto.AnalyzeStackRequest() if rpc == "AnalyzeStack" else proto.AnalyzeRequest(type="t", urn="u", name="n")
    getattr(served, rpc)(request, FakeContext())
    assert started == [threading.get_ident()]


def _struct(data):
    message = struct_pb2.Struct()
    message.update(data)
    return message


def test_json_format_message_to_dict_is_memoized_within_a_request_only():
    message = _struct({"region": "us-ashburn-1", "rules": [{"cidr": "10.0.0.0/8"}], "u": UNKNOWN})
    sdk_compat.begin_request()
    decoded = sdk.json_format.MessageToDict(message)
    assert decoded == {"region": "us-ashburn-1", "rules": [{"cidr": "10.0.0.0/8"}], "u": UNKNOWN}
    assert sdk.json_format.MessageToDict(message) is decoded
    assert sdk.json_format.Parse is sdk.json_format._inner.Parse  # the rest of json_format is protobuf's
    sdk_compat.begin_request()
    assert sdk.json_format.MessageToDict(message) is not decoded


def test_deserialize_properties_is_memoized_within_a_request_only():
    decoded = {"region": "us-ashburn-1", "secret": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s"}}
    sdk_compat.begin_request()
    props = sdk.deserialize_properties(decoded)
    assert props["secret"] == "s"  # the SDK's decoding: secrets unwrapped
    assert sdk.deserialize_properties(decoded) is props
    sdk_compat.begin_request()
    assert sdk.deserialize_properties(decoded) is not props


def test_unknown_checking_proxy_is_memoized_and_reads_back_its_decoded_dict():
    props = {"region": "us-ashburn-1", "u": UNKNOWN}
    sdk_compat.begin_request()
    proxy = sdk.unknown_checking_proxy(props)
    assert sdk.unknown_checking_proxy(props) is proxy
    assert sdk_compat.plain_properties(proxy) is props  # the decoded dict itself, unknowns as sentinels
    sdk_compat.begin_request()
    assert sdk.unknown_checking_proxy(props) is not proxy


def test_unknown_value_error_carries_the_sentinel_it_hit():
    # plain_properties reads an unknown through the proxy's public interface when no memo recorded it.
    from pulumi_policy.proxy import UnknownValueError

    sdk_compat.end_request()
    proxy = sdk.unknown_checking_proxy({"u": UNKNOWN})
    with pytest.raises(UnknownValueError) as err:
        proxy["u"]
    assert err.value.unknown_type_sentinel == UNKNOWN


def _request_with_options_and_provider():
    request = proto.AnalyzeRequest(type="oci:ObjectStorage/bucket:Bucket", urn="urn:x", name="b",
                                   properties=_struct({"name": "b"}))
    request.options.protect = True
    request.options.parent = "urn:parent"
    request.provider.CopyFrom(proto.AnalyzerProviderResource(
        type="pulumi:providers:oci", urn="urn:p", name="p", properties=_struct({"region": "us-ashburn-1"})))
    return request


def test_get_resource_options_is_built_once_per_request_message():
    served = servicer(ALL_POLICIES)
    request = _request_with_options_and_provider()
    sdk_compat.begin_request()
    opts = served._get_resource_options(request)
    assert (opts.protect, opts.parent) == (True, "urn:parent")
    assert served._get_resource_options(request) is opts
    sdk_compat.begin_request()
    assert served._get_resource_options(request) is not opts


def test_get_provider_resource_is_built_once_per_request_message():
    served = servicer(ALL_POLICIES)
    request = _request_with_options_and_provider()
    sdk_compat.begin_request()
    provider = served._get_provider_resource(request)
    assert (provider.resource_type, provider.urn, provider.props["region"]) == ("pulumi:providers:oci", "urn:p", "us-ashburn-1")
    assert served._get_provider_resource(request) is provider
    sdk_compat.begin_request()
    assert served._get_provider_resource(request) is not provider


def test_runtime_settings_are_read_again_only_when_the_environment_changes(monkeypatch):
    from pulumi.runtime import settings as runtime_settings

    served = servicer(ALL_POLICIES)
    monkeypatch.setenv("PULUMI_PROJECT", "p1")
    monkeypatch.setenv("PULUMI_STACK", "s1")
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    served._configure_runtime_settings()
    assert runtime_settings.get_project() == "p1"
    import pulumi.runtime

    monkeypatch.setattr(pulumi.runtime, "configure", lambda settings: pytest.fail("configured again, unchanged"))
    served._configure_runtime_settings()  # same environment: nothing re-read
    monkeypatch.undo()
    monkeypatch.setenv("PULUMI_PROJECT", "p2")
    monkeypatch.setenv("PULUMI_STACK", "s1")
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    served._configure_runtime_settings()
    assert runtime_settings.get_project() == "p2"


def test_each_configure_starts_a_new_config_generation():
    served = servicer(ALL_POLICIES)
    before = sdk_compat.config_generation()
    configure(served, {"residency-tags": ("advisory", None)})
    assert sdk_compat.config_generation() == before + 1


def test_a_new_request_on_another_thread_keeps_this_threads_cache():
    message = _struct({"a": 1})
    sdk_compat.begin_request()
    first = sdk.json_format.MessageToDict(message)
    other = threading.Thread(target=lambda: (sdk_compat.begin_request(), sdk.json_format.MessageToDict(message)))
    other.start()
    other.join()
    assert sdk.json_format.MessageToDict(message) is first


def test_outside_a_request_nothing_is_cached_and_proxies_are_read_through_their_public_interface():
    sdk_compat.end_request()
    message = _struct({"a": {"b": [UNKNOWN, "x"]}, "c": UNKNOWN})
    assert sdk.json_format.MessageToDict(message) is not sdk.json_format.MessageToDict(message)
    proxy = sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(message)))
    with pytest.raises(UnknownValueError):
        proxy["c"]  # the SDK's proxy raises on an unknown ...
    assert sdk_compat.plain_properties(proxy) == {"a": {"b": [UNKNOWN, "x"]}, "c": UNKNOWN}  # ... this does not


def test_rules_follow_a_new_configure_of_the_same_policy():
    # framework.rules_for caches per policy and config generation: a reconfigure must not serve stale rules.
    from residency_policies.framework import rules_for

    served = servicer(ALL_POLICIES)
    configure(served, {"backup-coverage": ("mandatory", {"minimumRetentionDays": 400})})
    rules, errors = rules_for(served._get_policy_config("backup-coverage"), "backup-coverage")
    assert not errors and rules.minimum_retention_days == 400
    assert rules_for(served._get_policy_config("backup-coverage"), "backup-coverage")[0] is rules
    configure(served, {"backup-coverage": ("mandatory", {"minimumRetentionDays": 500})})
    assert rules_for(served._get_policy_config("backup-coverage"), "backup-coverage")[0].minimum_retention_days == 500


# --- one shared stack for every stack policy (AnalyzeStack, _PolicyAnalyzerServicer__policies) ----------

_META = dict(severity="high", remediation="Fix it.", tags=["test"], framework=Framework("t", "1").control("T-1"))
_SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hidden"}


def _stack_request():
    """Parents, dependencies and property dependencies inside and outside the request, a provider, an
    unknown and a secret: everything pulumi_policy links or decodes when it builds a ``PolicyResource``."""
    root = "urn:pulumi:t::t::pulumi:pulumi:Stack::t-t"
    provider = "urn:pulumi:t::t::pulumi:providers:oci::home"
    vcn = "urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn"
    subnet = "urn:pulumi:t::t::oci:Core/subnet:Subnet::subnet"
    outside = "urn:pulumi:t::t::oci:Core/vcn:Vcn::not-in-the-request"
    request = proto.AnalyzeStackRequest()
    request.resources.append(proto.AnalyzerResource(type="pulumi:pulumi:Stack", urn=root, name="t-t"))
    request.resources.append(proto.AnalyzerResource(
        type="pulumi:providers:oci", urn=provider, name="home", parent=root,
        properties=_struct({"region": "us-ashburn-1", "privateKey": _SECRET})))
    request.resources.append(proto.AnalyzerResource(
        type="oci:Core/vcn:Vcn", urn=vcn, name="vcn", parent=root, properties=_struct({"cidrBlocks": ["10.0.0.0/16"]})))
    subnet_message = proto.AnalyzerResource(
        type="oci:Core/subnet:Subnet", urn=subnet, name="subnet", parent=outside,
        properties=_struct({"vcnId": UNKNOWN, "cidrBlock": "10.0.1.0/24", "secret": _SECRET}),
        dependencies=[vcn, outside])
    subnet_message.options.protect = True
    subnet_message.options.parent = vcn
    subnet_message.propertyDependencies["vcnId"].urns.extend([vcn, outside])
    subnet_message.propertyDependencies["cidrBlock"].urns.extend([outside])
    subnet_message.provider.CopyFrom(proto.AnalyzerProviderResource(
        type="pulumi:providers:oci", urn=provider, name="home", properties=_struct({"region": "us-ashburn-1"})))
    request.resources.append(subnet_message)
    return request


def _recording_stack_policy(seen: list):
    from residency_policies.framework import stack_policy

    return stack_policy(name="records-the-stack", description="Records what it sees.", check=lambda stack, rules: seen.append(list(stack)), **_META)


def _plain_stack_policy(seen: list):
    """A stack policy that reads the resources from its arguments, as any policy outside this pack does."""
    from pulumi_policy import StackValidationPolicy

    def validate(args, report):
        seen.append([(r.urn, sdk_compat.plain_properties(r.props)) for r in args.resources])

    return StackValidationPolicy(name="reads-its-arguments", description="Reads args.resources.", validate=validate)


def test_the_servicer_keeps_its_policies_under_the_mangled_private_name():
    policies = list(ALL_POLICIES)
    served = servicer(policies)
    assert served._PolicyAnalyzerServicer__policies == policies  # the private name itself, as sdk_compat reads it
    assert sdk_compat.shares_stack(served)
    assert not sdk_compat.shares_stack(object())  # an SDK without the name: each policy gets the resources


def test_analyze_stack_decodes_the_stack_once_and_gives_no_policy_the_resources_to_rebuild(monkeypatch):
    seen: list = []
    arguments: list = []
    policy = _recording_stack_policy(seen)
    original_validate = policy.validate

    def validate(args, report):
        arguments.append((len(args.resources), sdk_compat.shared_stack()))
        return original_validate(args, report)

    monkeypatch.setattr(policy, "validate", validate)
    served = servicer([policy, _recording_stack_policy(seen)])
    response = served.AnalyzeStack(_stack_request(), FakeContext())
    assert list(response.diagnostics) == []
    ((count, shared),) = arguments
    assert count == 0  # pulumi_policy's per-policy loop built no PolicyResource
    assert [r.urn.rsplit("::", 1)[1] for r in shared] == ["t-t", "home", "vcn", "subnet"]
    subnet = shared[3]
    assert subnet.props == {"vcnId": UNKNOWN, "cidrBlock": "10.0.1.0/24", "secret": "hidden"}
    assert (subnet.protect, subnet.parent, subnet.dependencies) == (True, "urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn",
                                                                  ("urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn",))
    assert subnet.property_dependencies == {"vcnId": ("urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn",), "cidrBlock": ()}
    assert (subnet.provider.name, subnet.provider.props) == ("home", {"region": "us-ashburn-1"})
    assert shared[1].props == {"region": "us-ashburn-1", "privateKey": "hidden"}
    assert len(seen[0]) == 4 and all(a is b for a, b in zip(seen[0], seen[1], strict=False))  # both policies read one view
    assert sdk_compat.shared_stack() is None  # nothing outlives the request


def test_a_stack_policy_reading_its_arguments_gets_the_resources_and_the_views_are_the_same():
    shared_seen: list = []
    served = servicer([_recording_stack_policy(shared_seen)])
    served.AnalyzeStack(_stack_request(), FakeContext())

    own_seen: list = []
    plain_seen: list = []
    served = servicer([_recording_stack_policy(own_seen), _plain_stack_policy(plain_seen)])
    assert not sdk_compat.shares_stack(served)
    served.AnalyzeStack(_stack_request(), FakeContext())
    ((plain,),) = [plain_seen]
    assert [urn for urn, _ in plain][-1] == "urn:pulumi:t::t::oci:Core/subnet:Subnet::subnet"
    assert plain[-1][1]["vcnId"] == UNKNOWN
    # The view built from pulumi_policy's PolicyResources equals the one decoded once for every policy.
    assert own_seen == shared_seen
    assert own_seen[0][3].parent == "urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn"
    assert own_seen[0][3].property_dependencies == {"vcnId": ("urn:pulumi:t::t::oci:Core/vcn:Vcn::vcn",), "cidrBlock": ()}

"""One test per name of the Pulumi Python SDK outside its public API that the kit relies on.

The offline engine drives the SDK's mock runtime the way the language host drives the real one, and the
settings read every ``residency:*`` key the program was given; nothing public offers these. An SDK upgrade
that moves one of them fails here, naming it, instead of failing a user's preview.
"""

from __future__ import annotations

import inspect

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack

from residency_kit.settings.load import residency_config
from residency_kit.engine.capture import RecordingMonitor
from residency_kit.engine.stack import UNKNOWN


def test_reset_options_takes_the_project_stack_and_preview_flag():
    # residency_kit.engine.capture.install_monitor: forgets the previous run's root Stack and options.
    params = inspect.signature(runtime_settings.reset_options).parameters
    assert {"project", "stack", "preview"} <= set(params)


def test_get_root_resource_returns_the_stack_the_mocks_registered():
    # residency_kit.engine.capture.with_stack_outputs registers the root Stack's exports through it.
    assert callable(runtime_settings.get_root_resource)
    runtime_settings.reset_options(project="p", stack="s", preview=True)
    assert runtime_settings.get_root_resource() is None


@pulumi.runtime.test
def test_massage_turns_exports_into_registrable_outputs():
    # pulumi.export values become the Stack's outputs through the SDK's own massage, as run_in_stack does.
    massaged = runtime_stack.massage({"a": [1, {"b": "c"}]}, [])
    assert massaged == {"a": [1, {"b": "c"}]}


def test_the_unknown_sentinel_is_the_engines():
    # The engine's unknown value (sdk/go/common/resource/plugin/rpc.go UnknownStringValue) on the wire.
    assert rpc.UNKNOWN == UNKNOWN == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_config_holds_what_set_all_config_set(monkeypatch):
    # residency_kit.settings.load.residency_config enumerates every key of the namespace, typos included.
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    runtime_config.set_all_config({"residency:homeRegion": "us-ashburn-1", "residency:bogus": "1", "oci:region": "x"})
    assert runtime_config.CONFIG.get()["residency:bogus"] == "1"
    assert residency_config() == {"residency:homeRegion": "us-ashburn-1", "residency:bogus": "1"}
    runtime_config.set_all_config({})


def test_the_mock_monitor_offers_the_methods_the_recording_monitor_extends():
    # RecordingMonitor overrides these and calls the SDK's implementation for the answer.
    for name in ("RegisterResource", "RegisterResourceOutputs", "ReadResource", "Invoke", "GetDeploymentInfo",
                 "SupportsFeature", "RegisterStackTransform"):
        assert callable(getattr(pulumi.runtime.mocks.MockMonitor, name, None)), name
        assert name in RecordingMonitor.__dict__, name


def test_invoke_results_are_built_from_the_wire_struct_as_result_types_check_them():
    # residency_kit.engine.invokes.result_types.check_fits builds an answer into its SDK result class exactly as
    # pulumi.runtime.invoke does: deserialize_properties of the returned Struct, then translate_output_properties
    # with the result class (numbers arrive as floats; an int field gets an int; a wrong type raises TypeError).
    import pytest
    from google.protobuf import struct_pb2
    from pulumi_aws.ec2 import GetAmiResult  # through the packages: see test_invokes' note on lazy SDK packages
    from pulumi_aws.s3 import GetObjectsResult

    wire = struct_pb2.Struct()
    wire.update({"bucket": "b", "maxKeys": 25, "keys": ["k"]})
    built = rpc.translate_output_properties(rpc.deserialize_properties(wire), lambda name: name, GetObjectsResult)
    assert isinstance(built, GetObjectsResult) and built.max_keys == 25 and type(built.max_keys) is int
    wrong = struct_pb2.Struct()
    wrong.update({"mostRecent": "true"})
    with pytest.raises(TypeError, match="most_recent"):
        rpc.translate_output_properties(rpc.deserialize_properties(wrong), lambda name: name, GetAmiResult)


def test_the_legacy_feature_probe_declines_what_the_engine_would_not_send_analyzers():
    # SDKs older than GetDeploymentInfo ask SupportsFeature one feature at a time; the answer is a real response.
    from pulumi.runtime.proto import resource_pb2

    class NoMocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return "", {}

        def call(self, args):
            return {}

    monitor = RecordingMonitor(NoMocks())
    answers = {feature: monitor.SupportsFeature(resource_pb2.SupportsFeatureRequest(id=feature))
               for feature in ("resourceReferences", "outputValues", "secrets", "deletedWith")}
    assert all(isinstance(a, resource_pb2.SupportsFeatureResponse) for a in answers.values())
    assert {f: a.hasSupport for f, a in answers.items()} == {
        "resourceReferences": False, "outputValues": False, "secrets": True, "deletedWith": True}

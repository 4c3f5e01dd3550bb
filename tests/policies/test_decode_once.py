"""The pack decodes each resource once per request: pulumi_policy's per-policy decoding is memoized by
identity and forgotten when the next request starts."""

from __future__ import annotations

from google.protobuf import struct_pb2
from pulumi_policy import policy as sdk

from residency_policies import decode_once


def test_install_patches_the_pinned_pulumi_policy_and_caches_only_within_a_request():
    assert decode_once.install() is True
    assert decode_once.install() is True  # idempotent
    message = struct_pb2.Struct()
    message.update({"region": "us-ashburn-1", "rules": [{"cidr": "10.0.0.0/8"}]})
    first = sdk.json_format.MessageToDict(message)
    assert sdk.json_format.MessageToDict(message) is first
    assert first == {"region": "us-ashburn-1", "rules": [{"cidr": "10.0.0.0/8"}]}
    decoded = sdk.deserialize_properties(first)
    assert sdk.deserialize_properties(first) is decoded
    assert sdk.unknown_checking_proxy(decoded) is sdk.unknown_checking_proxy(decoded)

    # A new request (Analyze, AnalyzeStack and Remediate first configure the runtime) starts afresh.
    sdk._PolicyAnalyzerServicer._configure_runtime_settings(object.__new__(sdk._PolicyAnalyzerServicer))
    assert sdk.json_format.MessageToDict(message) is not first
    assert sdk.json_format.Parse is decode_once._JsonFormat(sdk.json_format._inner).Parse  # the rest is protobuf's

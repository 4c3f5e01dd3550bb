"""Public data APIs: an API that anyone can call, in front of a data store.

An API key is no authentication (it ships inside the clients that use it), and ``NONE`` is none; an API that
admits callers that way and reads or writes a data store makes that store public, whatever the store's own
settings. Joined over the stack, where the API and the store behind it meet:

* **AWS AppSync GraphQL APIs**: the default authentication ``API_KEY``, or ``API_KEY`` as an additional provider
  with fields the schema opens to it (``@aws_api_key``), in front of a data source of a store type (DynamoDB, a
  relational database, OpenSearch / Elasticsearch) attached to the API.
* **API Gateway REST APIs**: a method with ``authorization = NONE`` whose integration is an AWS service integration
  (``type = AWS``) calling a data service directly (``arn:aws:apigateway:<region>:dynamodb:action/...``, ``s3``,
  ``rds-data``, ``sqs``, ``kinesis``...).

Lambda and HTTP backends decide for themselves what they return, so they are not judged as stores here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from residency_policies.findings import Finding
from residency_policies.values import is_unknown
from residency_policies.views import ResourceView

GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi"
DATA_SOURCE = "aws:appsync/dataSource:DataSource"
REST_METHOD = "aws:apigateway/method:Method"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
STORE_SOURCES = frozenset({"AMAZON_DYNAMODB", "RELATIONAL_DATABASE", "AMAZON_OPENSEARCH_SERVICE", "AMAZON_ELASTICSEARCH"})
_SERVICE_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[^:]*:(?P<service>[a-z0-9-]+):")
DATA_SERVICES = frozenset({"dynamodb", "s3", "rds-data", "es", "aoss", "kinesis", "firehose", "sqs", "sns", "timestream",
                           "athena", "glue", "secretsmanager", "ssm", "redshift-data"})
TYPES = frozenset({GRAPHQL_API, DATA_SOURCE, REST_METHOD, REST_INTEGRATION})


def _refers(user: ResourceView, key: str, target: ResourceView, target_key: str = "id") -> bool:
    """``user.key`` names ``target``: through a property dependency, or as the same literal value."""
    if target.urn in user.property_dependencies.get(key, ()):
        return True
    value, own = user.props.get(key), target.props.get(target_key)
    return isinstance(value, str) and not is_unknown(value) and value == own


def _same(a: ResourceView, b: ResourceView, key: str) -> bool:
    deps_a, deps_b = set(a.property_dependencies.get(key, ())), set(b.property_dependencies.get(key, ()))
    if deps_a or deps_b:
        return bool(deps_a & deps_b)
    va, vb = a.props.get(key), b.props.get(key)
    return isinstance(va, str) and not is_unknown(va) and va == vb


def _api_key_opening(api: ResourceView) -> tuple[str | None, bool]:
    """(where API-key access is opened, whether it is unknown at preview)."""
    default = api.props.get("authenticationType")
    if is_unknown(default):
        return "authenticationType", True
    if isinstance(default, str) and default.upper() == "API_KEY":
        return "authenticationType", False
    providers = api.props.get("additionalAuthenticationProviders")
    for i, provider in enumerate(providers if isinstance(providers, list) else []):
        kind = provider.get("authenticationType") if isinstance(provider, dict) else None
        if is_unknown(kind):
            return f"additionalAuthenticationProviders[{i}].authenticationType", True
        if isinstance(kind, str) and kind.upper() == "API_KEY":
            schema = api.props.get("schema")
            if is_unknown(schema):
                return "schema", True
            if isinstance(schema, str) and "@aws_api_key" in schema:
                return f"additionalAuthenticationProviders[{i}] (fields marked @aws_api_key)", False
    return None, False


def _graphql(stack: Sequence[ResourceView]) -> Iterator[Finding]:
    sources = [r for r in stack if r.type == DATA_SOURCE]
    for api in (r for r in stack if r.type == GRAPHQL_API):
        stores = [s for s in sources if _refers(s, "apiId", api) and str(s.props.get("type", "")).upper() in STORE_SOURCES]
        if not stores:
            continue
        where, unknown = _api_key_opening(api)
        if where is None:
            continue
        names = ", ".join(f"{s.name} ({s.props.get('type')})" for s in stores)
        if unknown:
            yield Finding(f"{where} decides whether anyone holding an API key can query data source(s) {names}",
                          api.urn, unverifiable=True, path=where.split(" ", 1)[0])
        else:
            yield Finding(f"{where}: API-key authentication lets anyone holding the key (it ships inside the clients) "
                          f"read and write data source(s) {names}: a public data API; authenticate callers with "
                          "AWS_IAM, AMAZON_COGNITO_USER_POOLS or OPENID_CONNECT", api.urn, path=where.split(" ", 1)[0])


def _rest(stack: Sequence[ResourceView]) -> Iterator[Finding]:
    integrations = [r for r in stack if r.type == REST_INTEGRATION]
    for method in (r for r in stack if r.type == REST_METHOD):
        authorization = method.props.get("authorization")
        if not (is_unknown(authorization) or (isinstance(authorization, str) and authorization.upper() == "NONE")):
            continue
        for integration in integrations:
            if not all(_same(integration, method, k) for k in ("restApi", "resourceId", "httpMethod")):
                continue
            uri = integration.props.get("uri")
            m = _SERVICE_URI.match(uri) if isinstance(uri, str) and not is_unknown(uri) else None
            kind = integration.props.get("type")
            if not m or m["service"] not in DATA_SERVICES or not (isinstance(kind, str) and kind.upper() == "AWS"):
                continue
            if is_unknown(authorization):
                yield Finding(f"authorization decides whether anyone can call {m['service']} through integration "
                              f"{integration.name}", method.urn, unverifiable=True, path="authorization")
            else:
                yield Finding(f"authorization is 'NONE' and integration {integration.name} calls {m['service']} "
                              "directly (an AWS service integration): anyone can reach that data store through this "
                              "API; use AWS_IAM, COGNITO_USER_POOLS or a CUSTOM authorizer", method.urn,
                              path="authorization")


def findings(stack: Sequence[ResourceView]) -> Iterator[Finding]:
    yield from _graphql(stack)
    yield from _rest(stack)

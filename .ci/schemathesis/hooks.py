"""Schemathesis hooks for medsys: how the run logs in, and the checks the contract requires.

Loaded by `.ci/schemathesis/run` (through SCHEMATHESIS_HOOKS) for both specs; `MEDSYS_ST_API`
says which one is being tested, `MEDSYS_ST_BASE_URL` where the server listens and
`MEDSYS_ST_PASSWORD` the password of the run's own procurement accounts.

Log-ins. Every operation is sent with the credentials of an account allowed to call it, so the
positive cases reach the business rules instead of stopping at 没有权限:
- mgr: the demo admin's `sessionid` cookie; `signout` gets a session of its own (a second
  sign-in of the same admin), renewed after each successful signout, so ending it never ends
  the session the other operations use.
- procurement: `/dept/**` as a department leader, `/inst/**` as an institution leader,
  `/admin/**` and `delete_order` as an admin, `logout` and `change_password` as an account of
  their own (a fuzzed logout or password change ends only that account's token), everything
  else as an applicant; all in 办公室, so the stateful phase can walk an order from creation to
  approval. A token that stops working (code 2) is replaced by a new log-in, a refreshed token
  (`Authorization` in a response) is adopted, and a successful password change of a run account
  is remembered.

Checks replacing built-ins that contradict the contract (see docs/reliability.md):
- `negative_data_is_refused_in_the_envelope` replaces `negative_data_rejection`: the contract
  refuses invalid input with an envelope error, mostly at HTTP 200, so the requirement is the
  documented error envelope (mgr: `ret` != 0; procurement: code 11 or 12, see the check), not
  a 4xx status.
- `token_is_enforced_in_the_envelope` (procurement) replaces `ignored_auth` and
  `missing_required_header`: without a token the contract answers HTTP 200 `{"code": 3, "msg":
  "token为空"}`, with a bad one `{"code": 2, "msg": "token失效"}`, not 401.
- `valid_data_is_refused_only_by_business_rules` (mgr `modify_order`) replaces
  `positive_data_acceptance` there: the contract answers every refusal of modify_order with HTTP
  400, including those of well-formed requests (an order, customer or medicine that does not
  exist, a medicine listed twice), so HTTP 400 is acceptable for valid data only with one of
  those messages.

The Excel media types of the user import have no built-in serializer: the workbook part is sent
as the raw bytes Schemathesis generates (the server must refuse what is not a workbook).
Stateful links are added to the loaded schema (STATEFUL_LINKS below).
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading

import requests

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.transport.serialization import serialize_binary

API = os.environ.get("MEDSYS_ST_API", "")
BASE_URL = os.environ.get("MEDSYS_ST_BASE_URL", "").rstrip("/")
RUN_PASSWORD = os.environ.get("MEDSYS_ST_PASSWORD", "")

MGR_USERNAME = "demo"
MGR_PASSWORD = "medsys-demo"

# The run's procurement accounts (created by `run`; keep the two lists in sync).
ACCOUNTS = {
    "admin": "19000000001",
    "instlead": "19000000002",
    "deptlead": "19000000003",
    "applicant": "19000000004",
    "self": "19000000005",
}
RUN_ACCOUNT_IDS = frozenset(ACCOUNTS.values())
# A sixth account, never used for requests: admin edits of and log-ins to the run's accounts
# land here (before_call).
EDITED_ID = "19000000006"

# Operations that end the caller's own credentials: they get the account named "self" (mgr: a
# session of its own), never the credentials the rest of the run depends on.
SELF_DESTROYING = {"signout", "logout", "change_password"}

TIMEOUT = 30


# ---------------------------------------------------------------------------------------------
# Links for the stateful phase. The specs declare no OpenAPI links, and Schemathesis infers none
# for mgr (every operation of a resource shares one path and picks its action from the body) and
# only a few for procurement (ids travel in query strings and bodies). These say which answer
# feeds which request, so the stateful phase chains real sequences: create, then read, change,
# approve, delete and restore what was created. Added to the loaded schema, never to the spec.
# Keys: source operationId -> {link name: (target operationId, link object)}.
_MGR_ID = "$response.body#/id"
_PROCUREMENT_ORDER = "$response.body#/data"
_REQUEST_ORDER = "$request.query.id"
STATEFUL_LINKS = {
    "mgr": {
        "add_customer": {
            "ModifyCustomer": ("modify_customer", {"requestBody": {"id": _MGR_ID}}),
            "DeleteCustomer": ("del_customer", {"requestBody": {"id": _MGR_ID}}),
            "OrderForCustomer": ("add_order", {"requestBody": {"data": {"customerid": _MGR_ID}}}),
        },
        "add_medicine": {
            "ModifyMedicine": ("modify_medicine", {"requestBody": {"id": _MGR_ID}}),
            "DeleteMedicine": ("del_medicine", {"requestBody": {"id": _MGR_ID}}),
            "OrderTheMedicine": (
                "add_order",
                {"requestBody": {"data": {"medicinelist": [{"id": _MGR_ID, "amount": 1}]}}},
            ),
        },
        "add_order": {
            "ModifyOrder": ("modify_order", {"requestBody": {"id": _MGR_ID}}),
            "DeleteOrder": ("del_order", {"requestBody": {"id": _MGR_ID}}),
        },
    },
    "procurement": {
        "create_order": {
            "GetOrder": ("get_order", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "UpdateOrder": ("update_order", {"requestBody": {"id": _PROCUREMENT_ORDER}}),
            "RecallOrder": ("recall_order", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "ExportOrder": ("export_order_excel", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "UploadSignature": ("upload_signature", {"requestBody": {"id": _PROCUREMENT_ORDER}}),
            "DownloadSignature": ("download_signature", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "DeleteOrder": ("delete_order", {"parameters": {"path.id": _PROCUREMENT_ORDER}}),
            "DeptApprove": ("dept_approve", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "DeptDeny": ("dept_deny", {"parameters": {"query.id": _PROCUREMENT_ORDER}}),
            "AdminDelete": ("admin_delete_order", {"parameters": {"path.id": _PROCUREMENT_ORDER}}),
        },
        "dept_approve": {
            "InstApprove": ("inst_approve", {"parameters": {"query.id": _REQUEST_ORDER}}),
            "InstDeny": ("inst_deny", {"parameters": {"query.id": _REQUEST_ORDER}}),
        },
        "dept_deny": {
            "UpdateDenied": ("update_order", {"requestBody": {"id": _REQUEST_ORDER}}),
        },
        "admin_delete_order": {
            "Restore": ("admin_restore_order", {"parameters": {"path.id": "$request.path.id"}}),
        },
    },
}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    links = STATEFUL_LINKS.get(API, {})
    for path_item in raw_schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or operation.get("operationId") not in links:
                continue
            ok = operation["responses"]["200"]
            for name, (target, link) in links[operation["operationId"]].items():
                ok.setdefault("links", {})[name] = {"operationId": target, **link}


def _operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", "")


def _json(response) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


def _header(headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


class Credential:
    """An account's current credential (None: log in before the next use) and password."""

    def __init__(self, password: str) -> None:
        self.value: str | None = None
        self.password = password


class Credentials:
    """Live credentials per account, logged in on first use and again when they stop working."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._store: dict[str, Credential] = {}

    def account_for(self, operation) -> str:
        operation_id = _operation_id(operation)
        if operation_id in SELF_DESTROYING:
            return "self"
        if API == "mgr":
            return "main"
        path = operation.path
        if path.startswith("/dept/"):
            return "deptlead"
        if path.startswith("/inst/"):
            return "instlead"
        if path.startswith("/admin/") or operation_id == "delete_order":
            return "admin"
        return "applicant"

    def get(self, account: str) -> str:
        with self._lock:
            entry = self._store.setdefault(account, Credential(password=RUN_PASSWORD))
            if entry.value is None:
                entry.value = self._log_in(account, entry.password)
            return entry.value

    def forget(self, account: str, value: str) -> None:
        """Drops `value` if it is still the account's current credential."""
        with self._lock:
            entry = self._store.get(account)
            if entry is not None and entry.value == value:
                entry.value = None

    def replace(self, account: str, old: str, new: str) -> None:
        with self._lock:
            entry = self._store.get(account)
            if entry is not None and entry.value == old:
                entry.value = new

    def set_password(self, account: str, password: str) -> None:
        with self._lock:
            entry = self._store.setdefault(account, Credential(password))
            entry.password = password
            entry.value = None

    def account_of_value(self, value: str) -> str | None:
        with self._lock:
            for account, entry in self._store.items():
                if entry.value == value:
                    return account
            return None

    @staticmethod
    def _log_in(account: str, password: str) -> str:
        if API == "mgr":
            response = requests.post(
                f"{BASE_URL}/api/mgr/signin",
                data={"username": MGR_USERNAME, "password": MGR_PASSWORD},
                timeout=TIMEOUT,
            )
            body = response.json()
            session = response.cookies.get("sessionid")
            if body.get("ret") != 0 or not session:
                raise RuntimeError(f"mgr signin failed: {response.status_code} {body}")
            return session
        response = requests.post(
            f"{BASE_URL}/user/login",
            json={"username": ACCOUNTS[account], "password": password},
            timeout=TIMEOUT,
        )
        body = response.json()
        token = response.headers.get("Authorization", "")
        if body.get("code") != 1 or not token.startswith("Bearer "):
            raise RuntimeError(f"procurement login of {account} failed: {response.status_code} {body}")
        return token.removeprefix("Bearer ")


CREDENTIALS = Credentials()


# The log-in operations take no credentials (`security: []`) and get none.
@schemathesis.auth(refresh_interval=None).skip_for(operation_id=["signin", "login"])
class MedsysAuth:
    """Credentials per operation; caching and renewal are done by `Credentials`."""

    def get(self, case, context):
        account = CREDENTIALS.account_for(context.operation)
        return account, CREDENTIALS.get(account)

    def set(self, case, data, context):
        _account, value = data
        if API == "mgr":
            case.cookies = {**(case.cookies or {}), "sessionid": value}
        else:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {value}"


def _sent_credential(request) -> str | None:
    if API == "mgr":
        cookie = request.headers.get("Cookie", "")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "sessionid":
                return value
        return None
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    return None


@schemathesis.hook
def after_call(context, case, response):
    """Keeps the run's credentials alive: adopt refreshed tokens, log in again after revocation."""
    if _operation_id(case.operation) in ("signin", "login"):
        return  # their answer carries somebody's new credential, not a refresh of the sent one
    sent = _sent_credential(response.request)
    if sent is None:
        return
    account = CREDENTIALS.account_of_value(sent)
    if account is None:
        return
    body = _json(response)
    operation_id = _operation_id(case.operation)
    if API == "mgr":
        ended = isinstance(body, dict) and (
            body.get("ret") == 302 or (operation_id == "signout" and body.get("ret") == 0)
        )
        if ended:
            CREDENTIALS.forget(account, sent)
        return
    refreshed = _header(response.headers, "Authorization")
    if refreshed and refreshed.startswith("Bearer "):
        CREDENTIALS.replace(account, sent, refreshed.removeprefix("Bearer "))
        return
    if not isinstance(body, dict):
        return
    if body.get("code") == 2:
        CREDENTIALS.forget(account, sent)
    elif operation_id == "change_password" and body.get("code") == 1 and isinstance(case.body, dict):
        CREDENTIALS.set_password(account, str(case.body.get("newPassword", "")))
    elif operation_id == "logout" and body.get("code") == 1:
        CREDENTIALS.forget(account, sent)


# Operations that act on the account named in their body, and the member that names it.
ACTS_ON_ACCOUNT = {"admin_update_user": "id", "login": "username"}


@schemathesis.hook
def before_call(context, case, kwargs):
    """Admin edits of, and log-ins to, the run's own accounts go to the stand-in account.

    An edit revokes the account's token and rewrites its role, department and password (the
    run's department leader would become an applicant halfway through); five failed log-ins lock
    an account for 15 minutes (the run could not log in again after a fuzzed logout). The run's
    ids reach these operations through values Schemathesis reuses from earlier answers (the
    user list); such a request is sent for EDITED_ID instead, a real account created for this,
    so it still runs to completion. Every other id is sent as generated.
    """
    member = ACTS_ON_ACCOUNT.get(_operation_id(case.operation))
    if member is None or not isinstance(case.body, dict):
        return
    target = case.body.get(member)
    if isinstance(target, str) and target in RUN_ACCOUNT_IDS:
        case.body = {**case.body, member: EDITED_ID}


@schemathesis.serializer(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
)
def excel_serializer(ctx, value):
    return {"data": serialize_binary(value)}


def _is_error_envelope(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    if API == "mgr":
        ret = body.get("ret")
        return isinstance(ret, int) and ret != 0 and isinstance(body.get("msg"), str)
    return (
        body.get("success") is False
        and isinstance(body.get("code"), int)
        and body.get("code") != 1
        and isinstance(body.get("msg"), str)
        and body.get("data") is None
    )


# procurement codes the order of checks allows for invalid parameters and bodies: the token is
# checked first (3 token为空, 2 token失效, when the case negated or dropped the token itself),
# then the parameters (11 参数缺失, then 12 参数错误), and only then existence and ownership.
PARAMETER_ERRORS = {2, 3, 11, 12}
NO_ROUTE = "接口不存在"
# A multipart file part is bytes on the wire, whatever type the case gave it: the documented
# answers to bytes that are not a workbook or an image are these business errors (code 0).
FILE_CONTENT_ERRORS = {
    "文件格式错误，请上传 .xlsx 或 .xls 文件",
    "文件大小不能超过5MB",
    "只能上传 jpg/png 图片",
    "图片大小不能超过1MB",
}


def _only_the_file_part_is_off_schema(case) -> bool:
    """Whether a multipart body would be valid with any bytes in its `file` part.

    On the wire a file part is bytes whatever JSON type the case gave it (`null` goes out as the
    four bytes "null"), so such a case is an upload of odd content, which the operation answers
    in its documented order (e.g. 0 申请单不存在 before the content is looked at).
    """
    if not (case.media_type or "").startswith("multipart/") or not isinstance(case.body, dict):
        return False
    if "file" not in case.body:
        return False
    for body in case.operation.body:
        if body.media_type == case.media_type:
            validator = case.operation.schema.adapter.jsonschema_validator_cls(body.optimized_schema)
            return validator.is_valid({**case.body, "file": ""})
    return False


@schemathesis.check
def negative_data_is_refused_in_the_envelope(ctx, response, case):
    """Invalid input is refused with the documented error envelope, whatever the HTTP status.

    mgr: any error envelope (`ret` != 0); its refusal messages are per operation.
    procurement: the envelope's code must be 11 参数缺失 or 12 参数错误 (or a token error, 3 or 2,
    when the case negated the token itself), because parameters are checked before existence
    (0 申请单不存在, 27 账号不存在) and ownership (31 没有权限); except
    for `login`, where a malformed user id is documented as an unknown account (27), for
    requests that left the route (404/405 接口不存在, e.g. a path parameter with a slash), and
    for file parts, whose content is bytes whatever its generated type: the documented file
    errors (FILE_CONTENT_ERRORS), or the operation's earlier checks, answer them.

    Answers that are not the required error are handed to Schemathesis's own
    `negative_data_rejection`, which recognises inputs that only look invalid (values that become
    valid once serialised, unknown members the contract ignores) and fails the rest.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return None
    if response.status_code >= 500:
        return None  # not_a_server_error reports it
    body = _json(response)
    if not _is_error_envelope(body):
        return negative_data_rejection(ctx, response, case)
    if API == "mgr" or body["code"] in PARAMETER_ERRORS or _operation_id(case.operation) == "login":
        return True
    if response.status_code in (404, 405) and body["msg"] == NO_ROUTE:
        return True
    negated = {location for location, info in meta.components.items() if info.mode.is_negative}
    if len(case.operation.body) == 0 and negated <= {ParameterLocation.HEADER}:
        return True  # only a Content-Type mutation, on an operation that reads no body
    if negated <= {ParameterLocation.BODY} and (
        (body["code"] == 0 and body["msg"] in FILE_CONTENT_ERRORS) or _only_the_file_part_is_off_schema(case)
    ):
        return True
    # Refused, but for another reason than the malformed input: an error only if the input is
    # invalid as sent (the built-in check decides that for a request it sees as accepted).
    as_accepted = copy.copy(response)
    as_accepted.status_code = 200
    try:
        negative_data_rejection(ctx, as_accepted, case)
    except AcceptedNegativeData as error:
        raise AcceptedNegativeData(
            operation=case.operation.label,
            message=(
                f"Invalid data answered with code {body['code']} {body['msg']} instead of "
                "11 参数缺失 or 12 参数错误 (parameters are checked before existence and ownership)"
                + error.message.removeprefix("Invalid data should have been rejected")
            ),
            status_code=response.status_code,
            expected_statuses=error.expected_statuses,
        ) from None
    return True


_PROBED: set[str] = set()
_PROBED_LOCK = threading.Lock()


@schemathesis.check
def token_is_enforced_in_the_envelope(ctx, response, case):
    """Every secured procurement operation refuses a missing token with code 3 and a bad one with 2.

    Probed once per operation, on its first answered case, with the case's own request minus
    the token (then with a forged one).
    """
    if API != "procurement" or not case.operation.security.iter_parameters():
        return None
    if _operation_id(case.operation) == "login":
        return None
    data = case.meta.phase.data if case.meta is not None else None
    if (
        isinstance(data, CoveragePhaseData)
        and data.scenario == CoverageScenario.MISSING_PARAMETER
        and (data.parameter or "").lower() == "authorization"
    ):
        # The coverage phase's own "no Authorization header" request.
        _expect_token_error(case.operation.label, "without a token", response.status_code, response.content, 3)
        return True
    label = case.operation.label
    with _PROBED_LOCK:
        if label in _PROBED:
            return None
        _PROBED.add(label)
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    kwargs["timeout"] = TIMEOUT
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "authorization"}
    expectations = ((None, 3), ("Bearer not-a-token", 2))
    for authorization, code in expectations:
        probe_headers = dict(headers)
        if authorization:
            probe_headers["Authorization"] = authorization
        probe = requests.request(**{**kwargs, "headers": probe_headers})
        what = "without a token" if authorization is None else "with a forged token"
        _expect_token_error(label, what, probe.status_code, probe.content, code)
    return True


TOKEN_ERRORS = {3: "token为空", 2: "token失效"}


def _expect_token_error(label: str, what: str, status: int, content: bytes, code: int) -> None:
    expected = {"success": False, "code": code, "msg": TOKEN_ERRORS[code], "data": None}
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if status != 200 or body != expected:
        raise AssertionError(
            f"{label} {what}: expected HTTP 200 {json.dumps(expected, ensure_ascii=False)}, "
            f"got HTTP {status} {content[:300]!r}"
        )


# modify_order's refusals of well-formed requests (all HTTP 400 by contract).
MODIFY_ORDER_BUSINESS_REFUSALS = re.compile(r"^(请传入正确的id值|请传入正确的data|id:\d+的(客户|药品)不存在)$")


def _lists_a_medicine_twice(body: object) -> bool:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return False
    def number(value: object) -> object:
        # 3 and 3.0 are the same id (JSON Schema integers).
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else repr(value)

    lines = data.get("medicinelist") or []
    ids = [number(line.get("id")) for line in lines if isinstance(line, dict)]
    deleted = {number(value) for value in data.get("deletelist") or []}
    return len(ids) != len(set(ids)) or bool(set(ids) & deleted)


@schemathesis.check
def valid_data_is_refused_only_by_business_rules(ctx, response, case):
    """mgr modify_order: valid input is accepted, or refused (HTTP 400) only by a business rule."""
    if API != "mgr" or _operation_id(case.operation) != "modify_order":
        return None
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    body = _json(response)
    if response.status_code == 400 and _is_error_envelope(body):
        message = body["msg"]
        if MODIFY_ORDER_BUSINESS_REFUSALS.match(message) and (
            message != "请传入正确的data" or _lists_a_medicine_twice(case.body)
        ):
            return True
    return positive_data_acceptance(ctx, response, case)

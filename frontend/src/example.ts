// A typed front end for both medsys APIs with openapi-fetch and the generated types.
//
// This file is documentation that compiles: CI runs `tsc --strict` over it, so a change to
// openapi/*.yaml that breaks a front end breaks this file first. Nothing here runs in CI.

import createClient, { type Middleware } from "openapi-fetch";

import type { components as MgrComponents, paths as MgrPaths } from "./generated/mgr.ts";
import type {
  components as ProcComponents,
  paths as ProcPaths,
} from "./generated/procurement.ts";

type ErrorEnvelope = ProcComponents["schemas"]["ErrorEnvelope"];
type OrderApplyDetail = ProcComponents["schemas"]["OrderApplyDetail"];
type Customer = MgrComponents["schemas"]["Customer"];

/**
 * A procurement envelope as openapi-fetch hands it over: an `Ok...` schema or the
 * `ErrorEnvelope`, told apart by `success`. (openapi-fetch's `Readable` view drops the
 * error's `data: null`, so the failure side is spelled with the members a front end reads.)
 */
type Envelope<T> =
  | { success: true; code: 1; msg: string; data: T }
  | { success: false; code: ErrorEnvelope["code"]; msg: string };

/**
 * Narrows a procurement envelope to its `data`, or throws the documented error.
 *
 * Most refusals are HTTP 200 with `success: false`, so the HTTP status alone says little;
 * `success` is the discriminant of the generated union (`Ok...` | `ErrorEnvelope`).
 */
export function unwrap<T>(envelope: Envelope<T> | undefined): T {
  if (envelope === undefined) {
    throw new Error("no JSON body");
  }
  if (!envelope.success) {
    // Here `envelope` is an ErrorEnvelope: `code` is one of the documented codes.
    const code: ErrorEnvelope["code"] = envelope.code;
    throw new Error(`procurement error ${code}: ${envelope.msg}`);
  }
  return envelope.data;
}

/**
 * The procurement API: the token comes in the `Authorization` response header of `login`, and
 * every secured answer may carry a refreshed one (sliding refresh), so a middleware keeps the
 * newest token and sends it on every request.
 */
export function procurementClient(baseUrl: string) {
  let token: string | undefined;
  const auth: Middleware = {
    onRequest({ request }) {
      if (token !== undefined) {
        request.headers.set("Authorization", token);
      }
      return request;
    },
    onResponse({ response }) {
      // `Bearer <jwt>`; the server exposes it to browsers with Access-Control-Expose-Headers.
      const refreshed = response.headers.get("Authorization");
      if (refreshed !== null) {
        token = refreshed;
      }
      return response;
    },
  };
  const client = createClient<ProcPaths>({ baseUrl });
  client.use(auth);
  return client;
}

/** Logs in, then reads one order. */
export async function procurementExample(baseUrl: string): Promise<OrderApplyDetail> {
  const client = procurementClient(baseUrl);

  const login = await client.POST("/user/login", {
    body: { username: "20210000001", password: "123456" },
  });
  const who = unwrap(login.data);
  // `role` is the union 1 | 2 | 3 | 4 from the spec.
  const isAdmin: boolean = who.role === 1;
  console.log(`${who.loginName} (admin: ${isAdmin}) token: ${login.response.headers.get("Authorization")}`);

  // The query is typed: `id` is required and must be an OrderId.
  const { data, response } = await client.GET("/order", { params: { query: { id: "2021010101" } } });
  if (response.status === 403) {
    throw new Error("not allowed to see this order");
  }
  const order = unwrap(data);
  for (const line of order.orderLists) {
    console.log(line.id, line.name, line.quantity);
  }
  return order;
}

/** The mgr API: a session cookie (sent by the browser), `ret` envelopes, the `action` query. */
export async function mgrExample(baseUrl: string): Promise<Customer[]> {
  // `credentials: "include"` lets the browser keep and send the `sessionid` cookie.
  const client = createClient<MgrPaths>({ baseUrl, credentials: "include" });

  const signin = await client.POST("/api/mgr/signin", {
    body: { username: "byhy", password: "88888888" },
    bodySerializer: (body) => new URLSearchParams(body),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (signin.data?.ret !== 0) {
    throw new Error(`sign-in refused: ${signin.data?.msg ?? signin.response.status}`);
  }

  // `action` is typed as the literal "list_customer": another value does not compile.
  const { data, response } = await client.GET("/api/mgr/customers", {
    params: { query: { action: "list_customer", pagenum: 1, pagesize: 20 } },
  });
  // HTTP 302 (not signed in) is an error response for openapi-fetch, with the NotLoggedIn body.
  if (data === undefined) {
    throw new Error(`not signed in (HTTP ${response.status})`);
  }
  if (data.ret !== 0) {
    throw new Error(`list refused: ${data.msg}`);
  }
  console.log(`${data.total} customers`);
  return data.retlist;
}

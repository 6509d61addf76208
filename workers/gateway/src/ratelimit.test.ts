import { describe, expect, it } from "vitest";
import { gatewayWith, jsonBody } from "../test/helpers";

// The gateway's tests run with its wrangler.toml as deployed: LOCAL_RUN is "false". Limits are
// counted in fixed windows, so a burst may straddle two: 45 attempts put more than 20 in one.
const BURST = 45;

type Send = (ip: string, i: number) => Promise<Response>;

async function statuses(send: Send, ip: (i: number) => string, count = BURST) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await send(ip(i), i)).status);
  return seen;
}

const login =
  (vars: { LOCAL_RUN?: string } = {}, body: (i: number) => unknown = () => ({})): Send =>
  (ip, i) =>
    gatewayWith(vars, "/v1/auth/login", {
      ...jsonBody(body(i)),
      headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    });

describe("the sign-in limit per address", () => {
  it("limits requests from this machine like any address when LOCAL_RUN is not set", async () => {
    const seen = await statuses(login(), () => "127.0.0.1");
    expect(seen[0]).toBe(422);
    expect(seen).toContain(429);
  });

  it("leaves this machine alone in a local run, and only this machine", async () => {
    const local = { LOCAL_RUN: "true" };
    expect(await statuses(login(local), () => "::1")).toEqual(Array(BURST).fill(422));
    expect(await statuses(login(local), () => "203.0.113.70")).toContain(429);
  });

  it("counts an IPv6 client by its /56, whichever /64 of it each attempt comes from", async () => {
    const seen = await statuses(
      login(),
      (i) => `2001:db8:70:7${i.toString(16).padStart(2, "0")}::1`,
    );
    expect(seen).toContain(429);
    expect((await login()("2001:db8:70:800::1", 0)).status).toBe(422);
  });
});

describe("the sign-in limit per account", () => {
  // Every attempt from a fresh address, so only the account's own budget can run out. The users
  // service is not running here: an attempt that gets past the limit is a 503.
  const address = (i: number) => `198.51.100.${i + 1}`;

  it("limits attempts naming one account from any address, before the password is checked", async () => {
    const forms = ["victim_one", "VICTIM_ONE", "@victim_one", " Victim_One "];
    const seen = await statuses(
      login({}, (i) => ({ login: forms[i % forms.length], password: "a guess" })),
      address,
    );
    expect(seen[0]).toBe(503);
    const limited = seen.indexOf(429);
    expect(limited).toBeGreaterThan(0);
    // Once over, it stays over: the right password would not be tried either.
    expect(seen.slice(limited).every((status) => status === 429)).toBe(true);

    const over = await login({}, () => ({ login: "victim_one", password: "the right one" }))(
      "192.0.2.200",
      0,
    );
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBe("60");
    expect(await over.json()).toMatchObject({
      status: 429,
      type: expect.stringMatching(/rate-limited$/),
    });
    // Another account is not held back.
    const other = await login({}, () => ({ login: "bystander", password: "x" }))("192.0.2.201", 0);
    expect(other.status).toBe(503);
  });

  it("limits RealWorld sign-ins by the email they name, in RealWorld's error shape", async () => {
    const attempt = (ip: string) =>
      gatewayWith({}, "/api/users/login", {
        ...jsonBody({ user: { email: "Victim@Example.com", password: "a guess" } }),
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
      });
    let limited: Response | null = null;
    for (let i = 0; i < BURST && !limited; i++) {
      const reply = await attempt(`192.0.2.${i + 1}`);
      if (reply.status === 429) limited = reply;
      else expect(reply.status).toBe(503);
    }
    if (!limited) throw new Error("never limited");
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.json()).toEqual({ errors: { request: [expect.any(String)] } });
  });
});

describe("the mail limit per address", () => {
  const reset =
    (email: string): Send =>
    (ip) =>
      gatewayWith({}, "/v1/auth/password-reset", {
        ...jsonBody({ email }),
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
      });

  it("limits reset requests for one address from any network, apart from its sign-ins", async () => {
    const seen = await statuses(reset("Reset.Victim@Example.com"), (i) => `198.51.100.${i + 1}`);
    // Past the limit the users service is asked, and it is not running here: a 503.
    expect(seen[0]).toBe(503);
    const limited = seen.indexOf(429);
    expect(limited).toBeGreaterThan(0);
    expect(seen.slice(limited).every((status) => status === 429)).toBe(true);
    // Sign-ins for the same address keep their own budget, and other addresses are not held back.
    const signIn = login({}, () => ({ login: "reset.victim@example.com", password: "x" }));
    expect((await signIn("192.0.2.210", 0)).status).toBe(503);
    expect((await reset("bystander@example.com")("192.0.2.211", 0)).status).toBe(503);
  });
});

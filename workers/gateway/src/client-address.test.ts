import { describe, expect, it } from "vitest";
import { clientAddress, isLoopback } from "./client-address";

describe("clientAddress", () => {
  it("counts an IPv4 address as itself", () => {
    expect(clientAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddress(" 203.0.113.7 ")).toBe("203.0.113.7");
    expect(clientAddress("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts an IPv6 address by its /56, however it is written", () => {
    const network = "2001:db8:1:200::/56";
    expect(clientAddress("2001:db8:1:2aa::a")).toBe(network);
    expect(clientAddress("2001:0DB8:0001:02FF:ffff:1:2:3")).toBe(network);
    // Every /64 of the subscriber's /56 is the same network ...
    expect(clientAddress("2001:db8:1:200::1")).toBe(network);
    expect(clientAddress("2001:db8:1:2ff:0:0:0:1")).toBe(network);
    // ... and the next /56 is another.
    expect(clientAddress("2001:db8:1:300::a")).toBe("2001:db8:1:300::/56");
    expect(clientAddress("2001:db8::1")).toBe("2001:db8:0:0::/56");
  });

  it("counts a loopback address like any other, and has nothing to count without the header", () => {
    expect(clientAddress("127.0.0.1")).toBe("127.0.0.1");
    expect(clientAddress("::1")).toBe("0:0:0:0::/56");
    for (const header of [undefined, null, "", "  "]) expect(clientAddress(header)).toBeNull();
  });
});

describe("isLoopback", () => {
  it("recognises this machine's addresses, and only those", () => {
    for (const header of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", " 127.0.0.1 "])
      expect(isLoopback(header)).toBe(true);
    for (const header of [undefined, null, "", "203.0.113.7", "2001:db8::1", "128.0.0.1"])
      expect(isLoopback(header)).toBe(false);
  });
});

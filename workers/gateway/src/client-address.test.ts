import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress", () => {
  it("counts an IPv4 address as itself", () => {
    expect(clientAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddress(" 203.0.113.7 ")).toBe("203.0.113.7");
    expect(clientAddress("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts an IPv6 address by its /64, however it is written", () => {
    const network = "2001:db8:1:2::/64";
    expect(clientAddress("2001:db8:1:2::a")).toBe(network);
    expect(clientAddress("2001:0DB8:0001:0002:ffff:1:2:3")).toBe(network);
    expect(clientAddress("2001:db8:1:2:0:0:0:1")).toBe(network);
    expect(clientAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientAddress("2001:db8:1:3::a")).not.toBe(network);
  });

  it("does not count requests without the header or from this machine", () => {
    for (const header of [undefined, null, "", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])
      expect(clientAddress(header)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { allowedOrigin } from "./middleware";

describe("allowedOrigin", () => {
  it("allows any origin under *", () => {
    expect(allowedOrigin("https://app.example.com", "*")).toBe("*");
    expect(allowedOrigin("", "*")).toBe("*");
  });

  it("allows only the listed origins of a comma-separated list, spaces around them ignored", () => {
    const setting = "https://a.example.com, https://b.example.com";
    expect(allowedOrigin("https://a.example.com", setting)).toBe("https://a.example.com");
    expect(allowedOrigin("https://b.example.com", setting)).toBe("https://b.example.com");
    expect(allowedOrigin("https://evil.example.com", setting)).toBeNull();
    expect(allowedOrigin("", setting)).toBeNull();
  });
});

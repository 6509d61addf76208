import { describe, expect, it } from "vitest";
import { foldForModeration, moderate } from "./moderation";

describe("moderation", () => {
  it("lets an ordinary comment through with no reasons", () => {
    expect(moderate("Great post, @alice! See https://example.com for more.")).toEqual({
      status: "visible",
      reasons: [],
    });
  });

  it("holds a denied term in any case and across whitespace, but not inside another word", () => {
    expect(moderate("cheap VIAGRA here").reasons).toEqual(["denied_term"]);
    expect(moderate("get Free \n Crypto now").reasons).toEqual(["denied_term"]);
    expect(moderate("the casinobonuses of Monaco").status).toBe("visible");
    expect(moderate("freecrypto").status).toBe("visible");
  });

  it("folds look-alike letters (NFKC) before matching a denied term", () => {
    expect(moderate("cheap ｖｉａｇｒａ here").reasons).toEqual(["denied_term"]);
    expect(moderate("cheap 𝐯𝐢𝐚𝐠𝐫𝐚 here").reasons).toEqual(["denied_term"]);
    expect(moderate("ｆｒｅｅ ｃｒｙｐｔｏ").reasons).toEqual(["denied_term"]);
  });

  it("ignores zero-width characters and soft hyphens hidden inside a denied term", () => {
    for (const hidden of ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
      expect(moderate(`cheap via${hidden}gra here`).reasons).toEqual(["denied_term"]);
    expect(foldForModeration("fr\u200bee\u00ad cry\u2060pto")).toBe("free crypto");
  });

  it("holds more than two links and allows two", () => {
    expect(moderate("https://a.example and http://b.example").status).toBe("visible");
    expect(moderate("https://a.example http://b.example www.c.example").reasons).toEqual([
      "link_spam",
    ]);
  });

  it("holds more than five distinct mentions; naming one person twice counts once", () => {
    expect(moderate("@aaa @bbb @ccc @ddd @eee").status).toBe("visible");
    expect(moderate("@aaa @bbb @ccc @ddd @eee @aaa @AAA").status).toBe("visible");
    expect(moderate("@aaa @bbb @ccc @ddd @eee @fff").reasons).toEqual(["excessive_mentions"]);
  });

  it("holds a run of twenty of the same character, not nineteen, and ignores blank space", () => {
    expect(moderate(`so${"o".repeat(18)}`).status).toBe("visible");
    expect(moderate(`s${"o".repeat(20)} good`).reasons).toEqual(["repeated_text"]);
    expect(moderate(`${"😀".repeat(20)}`).reasons).toEqual(["repeated_text"]);
    expect(moderate(`first${" ".repeat(30)}second${"\n".repeat(25)}third`).status).toBe("visible");
  });

  it("holds a body the same author just posted on the same post", () => {
    expect(moderate("same again", { repeatsRecent: true }).reasons).toEqual(["repeated_text"]);
  });

  it("names every rule a comment breaks", () => {
    const verdict = moderate(
      `viagra https://a.x https://b.x https://c.x @aa1 @aa2 @aa3 @aa4 @aa5 @aa6 ${"!".repeat(25)}`,
    );
    expect(verdict).toEqual({
      status: "held",
      reasons: ["denied_term", "link_spam", "excessive_mentions", "repeated_text"],
    });
  });
});

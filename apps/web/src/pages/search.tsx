import { useState } from "preact/hooks";
import type { Post, ProfileSummary, SearchType, TagHit } from "../api";
import { api } from "../api";
import { Highlighted, SearchTerms } from "../components/highlight";
import { PagedList, PersonPlaceholders } from "../components/paged-list";
import { PersonRow } from "../components/person";
import { PostList } from "../components/post-list";
import { PageTitle, usePageTitle } from "../components/ui";
import { usePaged } from "../paged";
import { Link, navigate, paths, useLocation } from "../router";

const TYPES: Array<[SearchType, string]> = [
  ["posts", "Posts"],
  ["users", "People"],
  ["tags", "Tags"],
];

/** What the address asks for: /search?q=…&type=posts|users|tags. */
function useSearchQuery(): { q: string; type: SearchType } {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const type = params.get("type");
  return {
    q: (params.get("q") ?? "").trim(),
    type: type === "users" || type === "tags" ? type : "posts",
  };
}

/** The search box in the header: it keeps the page's text and type, and opens the results page. */
export function SearchBox() {
  const { q, type } = useSearchQuery();
  const { path } = useLocation();
  const [text, setText] = useState<string | null>(null);
  const value = text ?? (path === "/search" ? q : "");
  return (
    <search class="search-box">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = value.trim();
          if (wanted === "") return;
          setText(null);
          navigate(paths.search(wanted, path === "/search" ? type : "posts"));
        }}
      >
        <label class="visually-hidden" for="search-input">
          Search
        </label>
        <input
          id="search-input"
          type="search"
          name="q"
          placeholder="Search posts, people, tags"
          maxLength={200}
          value={value}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </form>
    </search>
  );
}

/** A page of one type's results, keeping the words the server searched for. */
function useResults<T extends { id: string }>(
  q: string,
  type: SearchType,
  toItem: (item: never) => T,
) {
  const [terms, setTerms] = useState<string[]>([]);
  const paged = usePaged<T>(async (query) => {
    const page = await api.search(q, type, query);
    setTerms(page.terms);
    return { items: (page.items as never[]).map(toItem), nextCursor: page.nextCursor };
  }, `search:${type}:${q}`);
  return { paged, terms };
}

const same = <T,>(item: T) => item;

function PostResults({ q }: { q: string }) {
  const { paged, terms } = useResults<Post>(q, "posts", same);
  return (
    <SearchTerms.Provider value={terms}>
      <PostList paged={paged} label="Posts found" empty={`No posts match “${q}”.`} />
    </SearchTerms.Provider>
  );
}

function PeopleResults({ q }: { q: string }) {
  const { paged, terms } = useResults<ProfileSummary>(q, "users", same);
  return (
    <PagedList
      paged={paged}
      label="People found"
      empty={`Nobody's handle or name starts with “${q}”.`}
      placeholder={<PersonPlaceholders />}
      more="Load more people"
    >
      {(person) => (
        <PersonRow person={person}>
          <span class="muted">
            {" "}
            <Highlighted text={person.displayName} terms={terms} />
          </span>
        </PersonRow>
      )}
    </PagedList>
  );
}

function TagResults({ q }: { q: string }) {
  const { paged, terms } = useResults<TagHit & { id: string }>(q, "tags", (hit: TagHit) => ({
    ...hit,
    id: hit.tag,
  }));
  return (
    <PagedList
      paged={paged}
      label="Tags found"
      empty={`No tag starts with “${q}”.`}
      placeholder={<PersonPlaceholders />}
      more="Load more tags"
    >
      {(hit) => (
        <p>
          <Link href={paths.tag(hit.tag)} class="hashtag">
            #<Highlighted text={hit.tag} terms={terms} />
          </Link>{" "}
          <span class="muted">{hit.postCount === 1 ? "1 post" : `${hit.postCount} posts`}</span>
        </p>
      )}
    </PagedList>
  );
}

export function SearchPage() {
  const { q, type } = useSearchQuery();
  usePageTitle(q ? `Search: ${q}` : "Search");
  return (
    <>
      <PageTitle>{q ? `Results for “${q}”` : "Search"}</PageTitle>
      <nav class="tabs" aria-label="What to search">
        {TYPES.map(([name, label]) => (
          <Link
            href={paths.search(q, name)}
            aria-current={type === name ? "page" : undefined}
            key={name}
          >
            {label}
          </Link>
        ))}
      </nav>
      {q === "" ? (
        <p class="muted">Type words in the search box above.</p>
      ) : type === "users" ? (
        <PeopleResults q={q} key={q} />
      ) : type === "tags" ? (
        <TagResults q={q} key={q} />
      ) : (
        <PostResults q={q} key={q} />
      )}
    </>
  );
}

import type { Post, User } from "../api";
import { api } from "../api";
import { Composer } from "../components/composer";
import { PostList } from "../components/post-list";
import { PageTitle, usePageTitle } from "../components/ui";
import { usePaged } from "../paged";
import { Link } from "../router";
import { session } from "../session";
import { useStore } from "../store";

function HomeFeed({ user }: { user: User }) {
  usePageTitle("Home");
  const paged = usePaged(api.feed, `feed:${user.id}`);
  const prepend = (post: Post) => paged.update((items) => [post, ...items]);
  return (
    <>
      <PageTitle>Home</PageTitle>
      <Composer onPosted={prepend} />
      <PostList
        paged={paged}
        label="Your feed"
        watchNew
        homeFeed
        onShared={prepend}
        empty={
          <>
            Your feed is empty. Write your first post, or{" "}
            <Link href="/explore">find people to follow</Link>.
          </>
        }
      />
    </>
  );
}

function Welcome() {
  usePageTitle("");
  const paged = usePaged((q) => api.timeline(null, q), "welcome");
  return (
    <>
      <section class="hero card">
        <PageTitle>Welcome to flock</PageTitle>
        <p>Share short posts, follow people, make friends and talk it over.</p>
        <p class="form-actions">
          <Link href="/signup" class="button">
            Sign up
          </Link>
          <Link href="/login" class="button secondary">
            Log in
          </Link>
        </p>
      </section>
      <h2>Latest posts</h2>
      <PostList paged={paged} label="Latest posts" empty="Nobody has posted yet." />
    </>
  );
}

export function HomePage() {
  const { user } = useStore(session);
  return user ? <HomeFeed user={user} /> : <Welcome />;
}

export function ExplorePage() {
  usePageTitle("Explore");
  const paged = usePaged((q) => api.timeline(null, q), "explore");
  return (
    <>
      <PageTitle>Explore</PageTitle>
      <p class="muted">Everyone's posts, newest first.</p>
      <PostList paged={paged} label="Everyone's posts" watchNew empty="Nobody has posted yet." />
    </>
  );
}

export function TagPage({ tag }: { tag: string }) {
  usePageTitle(`#${tag}`);
  const paged = usePaged((q) => api.timeline(tag, q), `tag:${tag}`);
  return (
    <>
      <PageTitle>#{tag}</PageTitle>
      <p class="muted">Posts tagged #{tag}, newest first.</p>
      <PostList
        paged={paged}
        label={`Posts tagged ${tag}`}
        watchNew
        empty={`No posts are tagged #${tag} yet.`}
      />
    </>
  );
}

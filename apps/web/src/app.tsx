import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { User } from "./api";
import { Loading, PageTitle, usePageTitle } from "./components/ui";
import { VerifyEmailBanner } from "./components/verify-banner";
import { LoginPage, SignupPage } from "./pages/auth";
import { ModerationPage } from "./pages/moderation";
import { NotificationsPage } from "./pages/notifications";
import { OperationsPage } from "./pages/operations";
import { PostPage } from "./pages/post";
import { ProfilePage } from "./pages/profile";
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from "./pages/recovery";
import { SearchBox, SearchPage } from "./pages/search";
import { SettingsPage } from "./pages/settings";
import { ExplorePage, HomePage, TagPage } from "./pages/timelines";
import { Link, match, navigate, paths, type Route, useLocation } from "./router";
import { logOut, refreshUnread, type Session, session } from "./session";
import { useStore } from "./store";
import { dismiss, notify, toasts } from "./toasts";

function NavLink(props: { href: string; current: boolean; children: ComponentChildren }) {
  const { href, current, children } = props;
  return (
    <Link href={href} class="nav-link" aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

function Header({ state, route }: { state: Session; route: Route }) {
  const { user, unread } = state;
  const at = (page: Route["page"]) => route.page === page;
  return (
    <header class="site-header">
      <div class="header-inner">
        <Link href="/" class="brand">
          flock
        </Link>
        <SearchBox />
        <nav aria-label="Main">
          <ul>
            {user ? (
              <>
                <li>
                  <NavLink href="/" current={at("home")}>
                    Home
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/explore" current={at("explore")}>
                    Explore
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/notifications" current={at("notifications")}>
                    Notifications
                    {unread > 0 && (
                      <span class="badge" data-testid="unread-badge">
                        {unread > 99 ? "99+" : unread}
                        <span class="visually-hidden"> unread</span>
                      </span>
                    )}
                  </NavLink>
                </li>
                <li>
                  <NavLink
                    href={paths.profile(user.handle)}
                    current={route.page === "profile" && route.handle === user.handle}
                  >
                    Profile
                  </NavLink>
                </li>
                {user.role === "moderator" && (
                  <li>
                    <NavLink href="/moderation" current={at("moderation")}>
                      Moderation
                    </NavLink>
                  </li>
                )}
                {user.role === "moderator" && (
                  <li>
                    <NavLink href="/operations" current={at("operations")}>
                      Operations
                    </NavLink>
                  </li>
                )}
                <li>
                  <NavLink href="/settings" current={at("settings")}>
                    Settings
                  </NavLink>
                </li>
                <li>
                  <button
                    type="button"
                    class="link-button nav-link"
                    onClick={async () => {
                      await logOut();
                      notify("You are logged out.");
                      navigate("/");
                    }}
                  >
                    Log out
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink href="/explore" current={at("explore")}>
                    Explore
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/login" current={at("login")}>
                    Log in
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/signup" current={at("signup")}>
                    Sign up
                  </NavLink>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}

function Toasts() {
  const list = useStore(toasts);
  const render = (kind: "info" | "error") =>
    list
      .filter((toast) => toast.kind === kind)
      .map((toast) => (
        <div class={`toast ${kind}`} key={toast.id}>
          <span>{toast.text}</span>
          <button type="button" class="link-button" onClick={() => dismiss(toast.id)}>
            Dismiss
          </button>
        </div>
      ));
  // Both regions are always in the page: screen readers announce what is added to them.
  return (
    <div class="toasts">
      <div role="status" aria-live="polite">
        {render("info")}
      </div>
      <div role="alert">{render("error")}</div>
    </div>
  );
}

function NotFound() {
  usePageTitle("Not found");
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is nothing at this address. <Link href="/">Go to the home page</Link>.
      </p>
    </>
  );
}

/** Pages that need an account send a signed-out visitor to log in first, and back afterwards. */
function SignedIn({
  user,
  children,
}: {
  user: User | null;
  children: (user: User) => ComponentChildren;
}) {
  const { path } = useLocation();
  useEffect(() => {
    if (!user) navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
  }, [user, path]);
  return user ? children(user) : null;
}

/** Log-in and sign-up pages send someone already signed in to their feed. */
function SignedOut({ user, children }: { user: User | null; children: ComponentChildren }) {
  useEffect(() => {
    if (user) navigate("/", { replace: true });
  }, [user]);
  return user ? null : children;
}

function Page({ route, user }: { route: Route; user: User | null }) {
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "explore":
      return <ExplorePage />;
    case "login":
      return (
        <SignedOut user={user}>
          <LoginPage />
        </SignedOut>
      );
    case "signup":
      return (
        <SignedOut user={user}>
          <SignupPage />
        </SignedOut>
      );
    case "forgot-password":
      return (
        <SignedOut user={user}>
          <ForgotPasswordPage />
        </SignedOut>
      );
    // Reached from a mailed link, which may open in a browser signed in to any account.
    case "reset-password":
      return <ResetPasswordPage />;
    case "verify-email":
      return <VerifyEmailPage />;
    case "tag":
      return <TagPage tag={route.tag} />;
    case "post":
      return <PostPage id={route.id} />;
    case "profile":
      return <ProfilePage handle={route.handle} tab={route.tab} />;
    case "settings":
      return <SignedIn user={user}>{(me) => <SettingsPage user={me} key={me.id} />}</SignedIn>;
    case "notifications":
      return <SignedIn user={user}>{() => <NotificationsPage />}</SignedIn>;
    case "moderation":
      return <SignedIn user={user}>{() => <ModerationPage />}</SignedIn>;
    case "operations":
      return <SignedIn user={user}>{() => <OperationsPage />}</SignedIn>;
    case "search":
      return <SearchPage />;
    case "not-found":
      return <NotFound />;
  }
}

export function App() {
  const state = useStore(session);
  const location = useLocation();
  const route = match(location.path);
  const first = useRef(true);

  useEffect(() => {
    // After a navigation (not the first load), move focus to the new page's heading, as a full
    // page load would, so screen readers announce where the user is.
    if (first.current) {
      first.current = false;
      return;
    }
    void refreshUnread();
    requestAnimationFrame(() => {
      const target = document.getElementById("page-title") ?? document.getElementById("main");
      target?.focus({ preventScroll: true });
    });
  }, [location.path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header state={state} route={route} />
      {state.user && route.page !== "verify-email" && <VerifyEmailBanner user={state.user} />}
      <main id="main" tabIndex={-1}>
        {state.status === "loading" ? <Loading /> : <Page route={route} user={state.user} />}
      </main>
      <Toasts />
    </>
  );
}

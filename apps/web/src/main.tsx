import { render } from "preact";
import { App } from "./app";
import { startLive } from "./live";
import { startSession } from "./session";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  void startSession();
  startLive();
}

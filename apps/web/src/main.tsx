import { render } from "preact";
import { App } from "./app";
import { startSession } from "./session";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  void startSession();
}

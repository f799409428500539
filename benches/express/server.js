// Express 5 + the official Vortex Node SDK 0.20: the proxied invitation list written by hand,
// as the official Express integration's by-scope handler does it (user from the request,
// `getInvitationsByScope`, `res.json({ invitations })`). benches/proxy.sh runs it as
// `node server.js PORT UPSTREAM` against the same in-memory upstream as the Rust servers.
"use strict";

const express = require("express");

const [port, upstream] = process.argv.slice(2);
if (!port || !upstream) {
  console.error("usage: node server.js PORT UPSTREAM");
  process.exit(2);
}
// The Node SDK reads its base URL from the environment.
process.env.VORTEX_API_BASE_URL = upstream;
const { Vortex } = require("@teamvortexsoftware/vortex-node-22-sdk");

const vortex = new Vortex("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing");
const app = express();
app.use(express.json());

app.get("/api/vortex/invitations/by-scope/:scopeType/:scope", async (req, res) => {
  const userId = req.get("x-user-id");
  if (!userId) {
    res.status(401).json({ error: "Unauthorized" });
    return;
  }
  try {
    const invitations = await vortex.getInvitationsByScope(req.params.scopeType, req.params.scope);
    res.json({ invitations });
  } catch (error) {
    console.error(error);
    res.status(500).json({ error: "An error occurred while processing your request" });
  }
});

app.listen(Number(port), "127.0.0.1", () => {
  console.error(`express listening on 127.0.0.1:${port}`);
});

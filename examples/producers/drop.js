#!/usr/bin/env node
// Drops one task into a spool from Node.js: write under a hidden name, fsync, then rename into place.
// Usage: drop.js SPOOL_DIR TYPE [PAYLOAD_JSON [QUEUE]]
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

function drop(spool, task) {
  const incoming = path.join(spool, "incoming");
  const name = `drop.${process.pid}.${crypto.randomBytes(8).toString("hex")}`;
  const hidden = path.join(incoming, "." + name);
  const fd = fs.openSync(hidden, "wx");
  try {
    fs.writeSync(fd, JSON.stringify(task) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(hidden, path.join(incoming, name + ".json"));
}

const [spool, type, payload, queue] = process.argv.slice(2);
if (!spool || !type) {
  console.error("usage: drop.js SPOOL_DIR TYPE [PAYLOAD_JSON [QUEUE]]");
  process.exit(64);
}
const task = { type, payload: payload === undefined ? null : JSON.parse(payload) };
if (queue) task.queue = queue;
drop(spool, task);

// Upload one file with tus-js-client (the reference browser/Node tus client) and print the
// upload URL. Usage: node tus_upload.js ENDPOINT TOKEN FILE CHUNK_SIZE [MODE]
// MODE: override (PATCH sent as POST + X-HTTP-Method-Override), parallel (three partial
// uploads at once, then a final one: the Concatenation extension), with-upload (the first
// chunk goes with the creation: creation-with-upload), parallel-with-upload (both).
// Each creation's answer is logged to stderr: "POST <status> <Upload-Offset or ->".
"use strict";
const fs = require("fs");
const tus = require("tus-js-client");

const [endpoint, token, file, chunkSize, mode = ""] = process.argv.slice(2);
const data = fs.readFileSync(file);
const upload = new tus.Upload(data, {
  endpoint,
  headers: { Authorization: `Bearer ${token}` },
  chunkSize: Number(chunkSize),
  metadata: { filename: "berkas.pdf", filetype: "application/pdf" },
  overridePatchMethod: mode === "override",
  parallelUploads: mode.startsWith("parallel") ? 3 : 1,
  uploadDataDuringCreation: mode.endsWith("with-upload"),
  storeFingerprintForResuming: false,
  retryDelays: null,
  onAfterResponse(req, res) {
    if (req.getMethod() === "POST" && !req.getHeader("X-HTTP-Method-Override")) {
      console.error(`POST ${res.getStatus()} ${res.getHeader("Upload-Offset") || "-"}`);
    }
  },
  onError(err) {
    console.error(`error: ${err}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(upload.url);
  },
});
upload.start();

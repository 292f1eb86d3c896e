// Upload one file with tus-js-client (the reference browser/Node tus client) and print the
// upload URL. Usage: node tus_upload.js ENDPOINT TOKEN FILE CHUNK_SIZE [override|parallel]
// (parallel: three partial uploads at once, then a final one: the Concatenation extension)
"use strict";
const fs = require("fs");
const tus = require("tus-js-client");

const [endpoint, token, file, chunkSize, mode] = process.argv.slice(2);
const data = fs.readFileSync(file);
const upload = new tus.Upload(data, {
  endpoint,
  headers: { Authorization: `Bearer ${token}` },
  chunkSize: Number(chunkSize),
  metadata: { filename: "berkas.pdf", filetype: "application/pdf" },
  overridePatchMethod: mode === "override",
  parallelUploads: mode === "parallel" ? 3 : 1,
  storeFingerprintForResuming: false,
  retryDelays: null,
  onError(err) {
    console.error(`error: ${err}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(upload.url);
  },
});
upload.start();

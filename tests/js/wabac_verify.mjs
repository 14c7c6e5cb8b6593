// The anonymous branch of wabac.js's verifyWACZSignature (src/wacz/certutils.ts), with the
// same WebCrypto calls: SPKI public key imported as ECDSA P-384, ECDSA/SHA-256 verification of
// the UTF-8 `hash` against the base64 signature as given (raw r||s, IEEE P1363).
// Usage: node wabac_verify.mjs SIGNED_DATA.json  -> prints "valid" or "invalid".
import { webcrypto } from "node:crypto"; // globalThis.crypto only from Node 19 on
import { readFileSync } from "node:fs";

const { subtle } = webcrypto;

const signed = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const bytes = (b64) => Uint8Array.from(Buffer.from(b64, "base64"));
const key = await subtle.importKey(
  "spki",
  bytes(signed.publicKey),
  { name: "ECDSA", namedCurve: "P-384" },
  true,
  ["verify"],
);
const valid = await subtle.verify(
  { name: "ECDSA", hash: "SHA-256" },
  key,
  bytes(signed.signature),
  new TextEncoder().encode(signed.hash),
);
console.log(valid ? "valid" : "invalid");

// Proof of work (ALTCHA v1): find the number whose SHA-256 with the salt is the challenge. The
// booking service asks for it (428) only once an address has placed many holds; a person never sees it.

const encoder = new TextEncoder();

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The X-Proof-Of-Work header value for a challenge ({algorithm, challenge, salt, signature, maxnumber}). */
export async function solve(challenge) {
  const max = Number(challenge.maxnumber) || 1000000;
  for (let n = 0; n <= max; n += 1) {
    if (await sha256Hex(challenge.salt + n) === challenge.challenge) {
      const payload = { algorithm: "SHA-256", challenge: challenge.challenge, number: n,
        salt: challenge.salt, signature: challenge.signature };
      return btoa(JSON.stringify(payload));
    }
  }
  throw new Error("The proof-of-work challenge could not be solved.");
}

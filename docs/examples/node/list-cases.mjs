// A Node partner calling the API from protos/ alone: a private_key_jwt token, ListCases, and an error's details.
//   cd docs/examples/node && npm install && node list-cases.mjs <connection file, e.g. data/demo/nkdb-demo-sync.json>
// The connection file is what the server writes for a demo or bootstrap client: client_id, issuer, grpc_url, key_file.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const protos = fileURLToPath(new URL('../../../protos', import.meta.url));
const thirdParty = `${protos}/third_party`;
const connection = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// 1. A client assertion (RFC 7523, as rfc7523bis requires it) and the token request.
const base64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
function clientAssertion({ client_id: clientId, issuer, key_file: keyFile }) {
  const jwk = JSON.parse(readFileSync(keyFile, 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'client-authentication+jwt', kid: jwk.kid };
  const claims = { iss: clientId, sub: clientId, aud: issuer, jti: randomUUID(), iat: now, nbf: now, exp: now + 120 };
  const input = `${base64url(header)}.${base64url(claims)}`;
  // ES256 in a JWS is the raw r||s signature (IEEE P1363), not DER.
  const signature = sign('sha256', Buffer.from(input), { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

async function accessToken(conn) {
  const response = await fetch(new URL('connect/token', conn.issuer), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(conn),
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`token refused: ${response.status} ${body.error}`);
  return body.access_token; // valid 10 minutes: get a new one (with a new assertion) before it runs out
}

// 2. The contract, loaded at run time from protos/ (no code generation).
const definition = protoLoader.loadSync('sharing/v1/cases.proto', { includeDirs: [protos, thirdParty], keepCase: true, enums: String, longs: String, defaults: true });
const { sharing } = grpc.loadPackageDefinition(definition);
const token = await accessToken(connection);
// Cleartext only to a loopback server; a deployed platform is https, and then the channel uses TLS.
const channel = connection.grpc_url.startsWith('https:') ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
const cases = new sharing.v1.CaseService(new URL(connection.grpc_url).host, channel);

// 3. Errors: google.rpc.Status in the grpc-status-details-bin trailer, decoded with the vendored protos.
const rpc = new protobuf.Root();
rpc.resolvePath = (origin, target) => (target.startsWith('google/rpc/') ? `${thirdParty}/${target}` : protobuf.util.path.resolve(origin, target));
rpc.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const Status = rpc.lookupType('google.rpc.Status');

function details(error) {
  const [bytes] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!bytes) return [];
  return Status.decode(bytes).details.map((any) => {
    const type = rpc.lookupType(any.type_url.slice(any.type_url.lastIndexOf('/') + 1)); // type.googleapis.com/google.rpc.ErrorInfo
    return { type: type.fullName.slice(1), ...type.toObject(type.decode(any.value)) };
  });
}

const call = (method, request) =>
  new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    cases[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });

const parent = `tenants/${connection.client_id.split('/')[1]}`;
const page = await call('ListCases', { parent, page_size: 5 });
console.log(`ListCases: ${page.cases.length} records, statuses ${page.cases.map((c) => c.status).join(', ')}; more: ${page.next_page_token !== ''}`);

try {
  await call('GetCase', { name: `${parent}/cases/Not A Valid Id` });
} catch (error) {
  console.log(`GetCase with a bad name: ${grpc.status[error.code]}`);
  for (const detail of details(error)) {
    if (detail.type === 'google.rpc.ErrorInfo') console.log(`  ErrorInfo: reason ${detail.reason}, domain ${detail.domain}`);
    if (detail.type === 'google.rpc.BadRequest') for (const v of detail.field_violations) console.log(`  BadRequest: field ${v.field}, reason ${v.reason}`);
  }
}

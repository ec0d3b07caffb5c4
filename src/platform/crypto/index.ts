export { issueToken, hashToken, parseToken, constantTimeEqual, sha256Hex, type IssuedToken, type TokenKind } from './tokens';
export { canonicalJson } from './canonical-json';
export { sealSecret, openSecret } from './sealed';

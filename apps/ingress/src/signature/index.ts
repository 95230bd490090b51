export { decodeSignature, type DecodedSignature, type SignatureEncoding } from './decode';
export { CANDIDATE_SCHEMES, DEFAULT_SCHEME, type SignatureScheme } from './schemes';
export {
  SIGNATURE_HEADER,
  findSignatureMatches,
  verifySignature,
  type SignatureMatch,
} from './verify';

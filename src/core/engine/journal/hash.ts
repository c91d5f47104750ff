export { sha256 } from '../../util/sha256';

export { registerWeb, page } from './web';

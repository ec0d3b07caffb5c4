export { registerWeb, page, hideFromOpenApi, type WebOptions } from './web';
export { putFlash, takeFlash, FLASH_COOKIE } from './flash';

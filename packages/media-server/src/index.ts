export { MediaServer } from './MediaServer.js';
export { defaultConfig, loadConfig, ConfigError, type ServerConfig } from './config/config.js';
export { addressScope, mediaAddressReport, offeredAddresses, type AddressScope, type MediaAddressReport } from './config/mediaAddresses.js';

/**
 * The `mongodb` driver seam: the client type every supported major fits, the driver package a client belongs to,
 * and BSON values carried across to it and back.
 *
 * @packageDocumentation
 */
export { asDriverClient, type MongoClientLike } from './client-like.js';
export { fromDriverValues, toDriverValues } from './bson-bridge.js';
export { driverModuleOf, type DriverModule } from './driver-module.js';

// 4.0 → 4.1: adds TLS settings (security.tls).
import { minorHop } from './minor.js';

export const hop = minorHop('4.0', '4.1', ['security.tls: TLS for the API (cert_file, key_file)']);

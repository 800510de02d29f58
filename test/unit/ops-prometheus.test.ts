import { describe, expect, it } from 'vitest';
import { histogramQuantile, parsePrometheus, summarizeFamily } from '../../src/ops/prometheus.js';

const TEXT = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="get",code="200"} 1027 1395066363000
http_requests_total{method="post",code="500"} 3
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 52428800
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
this is not a sample
`;

describe('Prometheus text', () => {
  it('parses families, labels with escapes, timestamps, histograms', () => {
    const { families, invalidLines } = parsePrometheus(TEXT);
    expect(invalidLines).toBe(1);
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['http_requests_total', 'counter', 2],
      ['http_request_duration_seconds', 'histogram', 6],
      ['process_resident_memory_bytes', 'gauge', 1],
      ['msdos_file_access_time_seconds', undefined, 1],
    ]);
    expect(families[0]!.samples[0]).toEqual({ name: 'http_requests_total', labels: { method: 'get', code: '200' }, value: 1027 });
    expect(families[3]!.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
  });
  it('summarizes: totals, MiB for bytes, histogram quantiles', () => {
    const { families } = parsePrometheus(TEXT);
    expect(summarizeFamily(families[0]!)).toBe('1030 (2 series)');
    expect(summarizeFamily(families[2]!)).toBe('50.0 MiB');
    expect(summarizeFamily(families[1]!)).toMatch(/^144320 observations, mean 370\.2ms, p50 157\.8ms, p95 200\.0ms$/);
  });
  it('histogram quantile interpolates within the bucket', () => {
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: 2, count: 10 }, { le: Infinity, count: 10 }])).toBe(1.5);
    expect(histogramQuantile(0.5, [])).toBeUndefined();
  });
});

// librdkafka (Debian: librdkafka-dev, loaded on first use). Imported only by KafkaClient.
#include <librdkafka/rdkafka.h>

// rd_kafka_producev is variadic, which Swift cannot call: one produce with everything a
// record carries. The value is copied; `headers` are owned by librdkafka on success only.
static inline rd_kafka_resp_err_t outrigger_rd_kafka_produce(
    rd_kafka_t *rk, const char *topic, int32_t partition,
    const void *key, size_t key_len, const void *value, size_t value_len,
    rd_kafka_headers_t *headers, void *opaque) {
    return rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

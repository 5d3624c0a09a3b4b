// The C libraries the sidecar loads on first use, and the functions of each it calls. Included
// by loader.c (the slots and the loading) and trampolines.S (one jump per function).
//
// A function a client module starts to call belongs in its library's list: nothing links the
// library, so the link fails ("undefined symbol") until the function is here.
#ifndef OUTRIGGER_LIBRARIES_H
#define OUTRIGGER_LIBRARIES_H

// X(library, soname, Debian package, function list)
#define OUTRIGGER_LIBRARIES(X)                                                                     \
    X(libpq, "libpq.so.5", "libpq5", OUTRIGGER_LIBPQ_FUNCTIONS)                                    \
    X(hiredis, "libhiredis.so.0.14", "libhiredis0.14", OUTRIGGER_HIREDIS_FUNCTIONS)                \
    X(rdkafka, "librdkafka.so.1", "librdkafka1", OUTRIGGER_RDKAFKA_FUNCTIONS)                      \
    X(mosquitto, "libmosquitto.so.1", "libmosquitto1", OUTRIGGER_MOSQUITTO_FUNCTIONS)              \
    X(rabbitmq, "librabbitmq.so.4", "librabbitmq4", OUTRIGGER_RABBITMQ_FUNCTIONS)                  \
    X(nats, "libnats.so.3.4", "libnats3.4", OUTRIGGER_NATS_FUNCTIONS)

#define OUTRIGGER_LIBPQ_FUNCTIONS(F, library) \
    F(library, PQconnectdbParams) \
    F(library, PQconndefaults) \
    F(library, PQconninfoFree) \
    F(library, PQfinish) \
    F(library, PQstatus) \
    F(library, PQerrorMessage) \
    F(library, PQsocket) \
    F(library, PQparameterStatus) \
    F(library, PQsetNoticeProcessor) \
    F(library, PQconsumeInput) \
    F(library, PQgetCancel) \
    F(library, PQfreeCancel) \
    F(library, PQcancel) \
    F(library, PQexec) \
    F(library, PQexecParams) \
    F(library, PQprepare) \
    F(library, PQexecPrepared) \
    F(library, PQdescribePrepared) \
    F(library, PQresultStatus) \
    F(library, PQresultErrorMessage) \
    F(library, PQresultErrorField) \
    F(library, PQntuples) \
    F(library, PQnfields) \
    F(library, PQfname) \
    F(library, PQftype) \
    F(library, PQgetvalue) \
    F(library, PQgetisnull) \
    F(library, PQnparams) \
    F(library, PQparamtype) \
    F(library, PQcmdTuples) \
    F(library, PQclear)

#define OUTRIGGER_HIREDIS_FUNCTIONS(F, library) \
    F(library, freeReplyObject) \
    F(library, redisFormatCommandArgv) \
    F(library, redisFreeCommand) \
    F(library, redisReaderCreate) \
    F(library, redisReaderFeed) \
    F(library, redisReaderFree) \
    F(library, redisReaderGetReply)

#define OUTRIGGER_RDKAFKA_FUNCTIONS(F, library) \
    F(library, rd_kafka_assign) \
    F(library, rd_kafka_assignment) \
    F(library, rd_kafka_commit) \
    F(library, rd_kafka_committed) \
    F(library, rd_kafka_conf_destroy) \
    F(library, rd_kafka_conf_new) \
    F(library, rd_kafka_conf_set) \
    F(library, rd_kafka_conf_set_dr_msg_cb) \
    F(library, rd_kafka_conf_set_log_cb) \
    F(library, rd_kafka_conf_set_opaque) \
    F(library, rd_kafka_conf_set_rebalance_cb) \
    F(library, rd_kafka_consumer_close) \
    F(library, rd_kafka_consumer_poll) \
    F(library, rd_kafka_destroy) \
    F(library, rd_kafka_destroy_flags) \
    F(library, rd_kafka_err2str) \
    F(library, rd_kafka_error_destroy) \
    F(library, rd_kafka_error_string) \
    F(library, rd_kafka_flush) \
    F(library, rd_kafka_header_add) \
    F(library, rd_kafka_header_get_all) \
    F(library, rd_kafka_headers_destroy) \
    F(library, rd_kafka_headers_new) \
    F(library, rd_kafka_incremental_assign) \
    F(library, rd_kafka_incremental_unassign) \
    F(library, rd_kafka_message_destroy) \
    F(library, rd_kafka_message_headers) \
    F(library, rd_kafka_message_timestamp) \
    F(library, rd_kafka_metadata) \
    F(library, rd_kafka_metadata_destroy) \
    F(library, rd_kafka_new) \
    F(library, rd_kafka_offsets_store) \
    F(library, rd_kafka_outq_len) \
    F(library, rd_kafka_pause_partitions) \
    F(library, rd_kafka_poll) \
    F(library, rd_kafka_poll_set_consumer) \
    F(library, rd_kafka_producev) \
    F(library, rd_kafka_purge) \
    F(library, rd_kafka_query_watermark_offsets) \
    F(library, rd_kafka_queue_destroy) \
    F(library, rd_kafka_queue_get_consumer) \
    F(library, rd_kafka_queue_yield) \
    F(library, rd_kafka_rebalance_protocol) \
    F(library, rd_kafka_resume_partitions) \
    F(library, rd_kafka_seek_partitions) \
    F(library, rd_kafka_subscribe) \
    F(library, rd_kafka_topic_destroy) \
    F(library, rd_kafka_topic_name) \
    F(library, rd_kafka_topic_new) \
    F(library, rd_kafka_topic_partition_list_add) \
    F(library, rd_kafka_topic_partition_list_destroy) \
    F(library, rd_kafka_topic_partition_list_new)

#define OUTRIGGER_MOSQUITTO_FUNCTIONS(F, library) \
    F(library, mosquitto_connack_string) \
    F(library, mosquitto_connect_async) \
    F(library, mosquitto_connect_with_flags_callback_set) \
    F(library, mosquitto_destroy) \
    F(library, mosquitto_disconnect) \
    F(library, mosquitto_int_option) \
    F(library, mosquitto_lib_init) \
    F(library, mosquitto_loop_misc) \
    F(library, mosquitto_loop_read) \
    F(library, mosquitto_loop_write) \
    F(library, mosquitto_message_callback_set) \
    F(library, mosquitto_new) \
    F(library, mosquitto_publish) \
    F(library, mosquitto_publish_callback_set) \
    F(library, mosquitto_socket) \
    F(library, mosquitto_strerror) \
    F(library, mosquitto_subscribe) \
    F(library, mosquitto_subscribe_callback_set) \
    F(library, mosquitto_threaded_set) \
    F(library, mosquitto_tls_set) \
    F(library, mosquitto_unsubscribe) \
    F(library, mosquitto_unsubscribe_callback_set) \
    F(library, mosquitto_user_data_set) \
    F(library, mosquitto_username_pw_set) \
    F(library, mosquitto_want_write)

#define OUTRIGGER_RABBITMQ_FUNCTIONS(F, library) \
    F(library, amqp_basic_ack) \
    F(library, amqp_basic_cancel) \
    F(library, amqp_basic_consume) \
    F(library, amqp_basic_nack) \
    F(library, amqp_basic_publish) \
    F(library, amqp_basic_qos) \
    F(library, amqp_channel_close) \
    F(library, amqp_channel_open) \
    F(library, amqp_confirm_select) \
    F(library, amqp_connection_close) \
    F(library, amqp_destroy_connection) \
    F(library, amqp_destroy_message) \
    F(library, amqp_error_string2) \
    F(library, amqp_exchange_declare) \
    F(library, amqp_exchange_delete) \
    F(library, amqp_get_channel_max) \
    F(library, amqp_get_rpc_reply) \
    F(library, amqp_get_sockfd) \
    F(library, amqp_login_with_properties) \
    F(library, amqp_maybe_release_buffers) \
    F(library, amqp_new_connection) \
    F(library, amqp_queue_bind) \
    F(library, amqp_queue_declare) \
    F(library, amqp_queue_delete) \
    F(library, amqp_read_message) \
    F(library, amqp_send_method) \
    F(library, amqp_set_handshake_timeout) \
    F(library, amqp_set_rpc_timeout) \
    F(library, amqp_simple_wait_frame_noblock) \
    F(library, amqp_socket_open_noblock) \
    F(library, amqp_ssl_socket_new) \
    F(library, amqp_ssl_socket_set_cacert) \
    F(library, amqp_ssl_socket_set_key) \
    F(library, amqp_ssl_socket_set_verify_hostname) \
    F(library, amqp_ssl_socket_set_verify_peer) \
    F(library, amqp_tcp_socket_new)

#define OUTRIGGER_NATS_FUNCTIONS(F, library) \
    F(library, jsConsumerConfig_Init) \
    F(library, jsConsumerInfo_Destroy) \
    F(library, jsCtx_Destroy) \
    F(library, jsMsgMetaData_Destroy) \
    F(library, jsOptions_Init) \
    F(library, jsPubOptions_Init) \
    F(library, jsStreamConfig_Init) \
    F(library, jsStreamInfo_Destroy) \
    F(library, jsSubOptions_Init) \
    F(library, js_AddConsumer) \
    F(library, js_AddStream) \
    F(library, js_DeleteConsumer) \
    F(library, js_DeleteStream) \
    F(library, js_GetConsumerInfo) \
    F(library, js_GetStreamInfo) \
    F(library, js_PublishMsgAsync) \
    F(library, js_PullSubscribe) \
    F(library, js_UpdateStream) \
    F(library, natsConnection_Close) \
    F(library, natsConnection_Connect) \
    F(library, natsConnection_Destroy) \
    F(library, natsConnection_FlushTimeout) \
    F(library, natsConnection_JetStream) \
    F(library, natsConnection_Request) \
    F(library, natsMsgHeader_Get) \
    F(library, natsMsgHeader_Keys) \
    F(library, natsMsgList_Destroy) \
    F(library, natsMsg_Ack) \
    F(library, natsMsg_Create) \
    F(library, natsMsg_Destroy) \
    F(library, natsMsg_GetData) \
    F(library, natsMsg_GetDataLength) \
    F(library, natsMsg_GetMetaData) \
    F(library, natsMsg_GetSubject) \
    F(library, natsMsg_InProgress) \
    F(library, natsMsg_Nak) \
    F(library, natsMsg_NakWithDelay) \
    F(library, natsOptions_Create) \
    F(library, natsOptions_Destroy) \
    F(library, natsOptions_LoadCertificatesChain) \
    F(library, natsOptions_SetAllowReconnect) \
    F(library, natsOptions_SetClosedCB) \
    F(library, natsOptions_SetName) \
    F(library, natsOptions_SetSecure) \
    F(library, natsOptions_SetTimeout) \
    F(library, natsOptions_SetToken) \
    F(library, natsOptions_SetURL) \
    F(library, natsOptions_SetUserCredentialsCallbacks) \
    F(library, natsStatus_GetText) \
    F(library, natsSubscription_Destroy) \
    F(library, natsSubscription_FetchRequest) \
    F(library, natsSubscription_Unsubscribe) \
    F(library, nats_GetLastError) \
    F(library, nats_Open) \
    F(library, nats_Sign)

#endif

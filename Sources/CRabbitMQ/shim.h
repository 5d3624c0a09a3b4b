// rabbitmq-c, AMQP 0-9-1 (Debian: librabbitmq-dev, loaded on first use).
// Imported only by AMQPClient. Swift cannot call amqp_login (variadic) nor read the method
// numbers (cast macros), so this header gives both a plain form.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <poll.h>
#include <sys/eventfd.h>

/// PLAIN login with client properties (connection_name); what amqp_login_with_properties does.
static inline amqp_rpc_reply_t outrigger_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int frame_max, int heartbeat,
    const amqp_table_t *properties, const char *user, const char *password) {
    return amqp_login_with_properties(state, vhost, 0, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// EXTERNAL login (the identity comes from the TLS client certificate).
static inline amqp_rpc_reply_t outrigger_amqp_login_external(
    amqp_connection_state_t state, const char *vhost, int frame_max, int heartbeat,
    const amqp_table_t *properties, const char *identity) {
    return amqp_login_with_properties(state, vhost, 0, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_EXTERNAL, identity);
}

static const amqp_method_number_t OUTRIGGER_AMQP_CONNECTION_CLOSE = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_CONNECTION_CLOSE_OK = AMQP_CONNECTION_CLOSE_OK_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_CONNECTION_BLOCKED = AMQP_CONNECTION_BLOCKED_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_CONNECTION_UNBLOCKED = AMQP_CONNECTION_UNBLOCKED_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_CHANNEL_CLOSE = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_CHANNEL_CLOSE_OK = AMQP_CHANNEL_CLOSE_OK_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_DELIVER = AMQP_BASIC_DELIVER_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_RETURN = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_ACK = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_NACK = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_CANCEL = AMQP_BASIC_CANCEL_METHOD;
static const amqp_method_number_t OUTRIGGER_AMQP_BASIC_CANCEL_OK = AMQP_BASIC_CANCEL_OK_METHOD;

import BuiltinComponents
import HTTPBinding
import JetStreamComponents
import KafkaComponents
import MQTTComponents
import OutriggerCore
import PostgresComponents
import RabbitMQComponents
import RedisComponents
import SMTPBinding

/// Every component type Outrigger can build: the only list of them. The sidecar, the
/// conformance runner and `/v1.0/metadata` all read it.
public enum ComponentRegistry {
    public static let descriptors: [ComponentDescriptor] = [
        InMemoryPubSub.descriptor,
        RedisPubSub.descriptor,
        RedisBinding.descriptor,
        RabbitMQPubSub.descriptor,
        RabbitMQBinding.descriptor,
        JetStreamPubSub.descriptor,
        KafkaPubSub.descriptor,
        KafkaBinding.descriptor,
        MQTTPubSub.descriptor,
        MQTTBinding.descriptor,
        CronBinding.descriptor,
        LocalStorageBinding.descriptor,
        HTTPBinding.descriptor,
        SMTPBinding.descriptor,
        PostgresBinding.descriptor,
        PostgresBinding.postgresDescriptor,
        LocalFileSecretStore.descriptor,
        LocalEnvSecretStore.descriptor,
    ]
}

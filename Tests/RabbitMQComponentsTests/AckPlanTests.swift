import Testing

@testable import RabbitMQComponents

@Suite("Acknowledging with multiple")
struct AckPlanTests {
    @Test("contiguous acknowledgements from the oldest unsettled tag become one multiple ack")
    func contiguous() {
        #expect(AckPlan(acks: [3, 1, 2], unsettled: [1, 2, 3, 4]) == AckPlan(multipleUpTo: 3, single: []))
    }

    @Test("a tag still in flight below stops the multiple ack; the rest go one by one")
    func gap() {
        #expect(AckPlan(acks: [1, 2, 4, 6], unsettled: [1, 2, 3, 4, 5, 6]) == AckPlan(multipleUpTo: 2, single: [4, 6]))
        #expect(AckPlan(acks: [2, 3], unsettled: [1, 2, 3]) == AckPlan(multipleUpTo: nil, single: [2, 3]))
    }

    @Test("a single acknowledgement is a plain ack")
    func single() {
        #expect(AckPlan(acks: [5], unsettled: [5, 6]) == AckPlan(multipleUpTo: nil, single: [5]))
    }
}

package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallStatusTests {

    private static final Set<CallStatus> TERMINAL = EnumSet.of(
            CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.VOICEMAIL,
            CallStatus.FAILED, CallStatus.CANCELED, CallStatus.BLOCKED);

    @Test
    void scheduledMayBeCanceledOrBlockedOrDialed() {
        assertThat(CallStatus.SCHEDULED.canBecome(CallStatus.CANCELED)).isTrue();
        assertThat(CallStatus.SCHEDULED.canBecome(CallStatus.BLOCKED)).isTrue();
        assertThat(CallStatus.SCHEDULED.canBecome(CallStatus.DIALING)).isTrue();
        assertThat(CallStatus.SCHEDULED.next()).containsExactlyInAnyOrder(CallStatus.DIALING, CallStatus.CANCELED, CallStatus.BLOCKED);
    }

    @Test
    void canceledBecomesNothing() {
        for (CallStatus target : CallStatus.values()) {
            assertThat(CallStatus.CANCELED.canBecome(target)).as("canceled -> %s", target).isFalse();
        }
    }

    @Test
    void onlyCallsThatHaveNotStartedDiallingCanBeCanceled() {
        for (CallStatus status : CallStatus.values()) {
            assertThat(status.canBecome(CallStatus.CANCELED)).as(status.wire()).isEqualTo(status == CallStatus.SCHEDULED);
        }
    }

    @Test
    void terminalStatesHaveNoNextAndTheOthersDo() {
        for (CallStatus status : CallStatus.values()) {
            if (TERMINAL.contains(status)) {
                assertThat(status.next()).as(status.wire()).isEmpty();
            } else {
                assertThat(status.next()).as(status.wire()).isNotEmpty();
            }
        }
    }

    @Test
    void noStatusBecomesItselfAndOnlyCallsUnderwayGoBackToScheduled() {
        Set<CallStatus> underway = EnumSet.of(CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS);
        for (CallStatus status : CallStatus.values()) {
            assertThat(status.canBecome(status)).as(status.wire()).isFalse();
            assertThat(status.canBecome(CallStatus.SCHEDULED)).as(status.wire()).isEqualTo(underway.contains(status));
        }
    }

    @Test
    void everyStatusIsReachableFromScheduled() {
        Set<CallStatus> reached = EnumSet.of(CallStatus.SCHEDULED);
        Deque<CallStatus> todo = new ArrayDeque<>(reached);
        while (!todo.isEmpty()) {
            for (CallStatus next : todo.pop().next()) {
                if (reached.add(next)) todo.push(next);
            }
        }
        assertThat(reached).isEqualTo(EnumSet.allOf(CallStatus.class));
    }

    @Test
    void nextIsACopyThatCallersCannotCorrupt() {
        Set<CallStatus> next = CallStatus.SCHEDULED.next();
        next.clear();
        assertThat(CallStatus.SCHEDULED.canBecome(CallStatus.CANCELED)).isTrue();
    }

    @Test
    void wireNamesAreTheContractsAndRoundTrip() {
        assertThat(Arrays.stream(CallStatus.values()).map(CallStatus::wire))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(io.parley.platform.api.model.CallStatus.values())
                        .map(io.parley.platform.api.model.CallStatus::getValue).toList());
        for (CallStatus status : CallStatus.values()) {
            assertThat(CallStatus.fromWire(status.wire())).isEqualTo(status);
        }
        assertThat(CallStatus.IN_PROGRESS.wire()).isEqualTo("in_progress");
    }
}

package io.parley.runtime.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/** Evidence: a JFR profile summarised, heap after GC, and a class histogram diff, all from inside this JVM. */
final class Profiler {

    private Profiler() {}

    static Recording startRecording() {
        try {
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setToDisk(true);
            recording.start();
            return recording;
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    static void stopRecording(Recording recording, Path file) {
        try {
            recording.stop();
            recording.dump(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            recording.close();
        }
    }

    /** Heap in use after full collections. */
    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Bytes by class, from the JVM's own GC.class_histogram (which collects first). */
    static Map<String, Long> classHistogram() {
        return histogram(2);
    }

    /** Live instances by class (GC.class_histogram, which collects first). */
    static Map<String, Long> classInstances() {
        return histogram(1);
    }

    private static Map<String, Long> histogram(int column) {
        try {
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, Long> values = new HashMap<>();
            Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(text);
            while (m.find()) values.merge(m.group(3), Long.parseLong(m.group(column)), Long::sum);
            return values;
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** Which side of the benchmark a class belongs to, for the heap breakdown. */
    static String owner(String className) {
        if (className.startsWith("io.parley.runtime.bench.")) return "benchmark (emulator, fakes, ground truth)";
        if (className.startsWith("jdk.internal.net.http.")) return "emulator's JDK WebSocket client";
        if (className.startsWith("io.parley.runtime.")) return "runtime (io.parley.runtime)";
        if (className.startsWith("org.apache.tomcat.") || className.startsWith("org.apache.coyote.")) return "Tomcat (server sockets, WebSocket sessions)";
        if (className.startsWith("io.lettuce.") || className.startsWith("io.netty.") || className.startsWith("reactor.")) return "Redis client";
        if (className.startsWith("java.util.concurrent.") || className.startsWith("jdk.internal.vm.") || className.startsWith("java.lang.VirtualThread")
                || className.startsWith("java.lang.Thread")) return "JDK concurrency (queues, futures, virtual threads, stacks)";
        if (className.startsWith("sun.nio.") || className.startsWith("java.nio.")) return "JDK NIO (channels, buffers)";
        return "JDK plain data (byte[], String, Object[], HashMap...): both sides";
    }

    static List<String> heapBreakdown(Map<String, Long> before, Map<String, Long> after, int calls) {
        Map<String, Long> byClass = new HashMap<>();
        Set<String> names = new HashSet<>(after.keySet());
        names.addAll(before.keySet());
        for (String name : names) {
            long delta = after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
            if (delta != 0) byClass.put(name, delta);
        }
        Map<String, Long> byOwner = new LinkedHashMap<>();
        byClass.forEach((k, v) -> byOwner.merge(owner(k), v, Long::sum));
        List<String> lines = new ArrayList<>();
        byOwner.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e ->
                lines.add(String.format("    %-62s %8.1f KB/call", e.getKey(), e.getValue() / 1024.0 / calls)));
        lines.add("    largest classes:");
        byClass.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(14).forEach(e ->
                lines.add(String.format("      %-70s %8.1f KB/call", e.getKey(), e.getValue() / 1024.0 / calls)));
        return lines;
    }

    /** Average CPU load during a recording: {this JVM, whole machine}, as fractions of all cores. */
    static double[] cpu(Path file) {
        double jvm = 0;
        double machine = 0;
        int n = 0;
        try {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.CPULoad")) continue;
                jvm += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                machine += e.getFloat("machineTotal");
                n++;
            }
        } catch (IOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {jvm / n, machine / n};
    }

    /** A summary of a recording: where the CPU went (by side, by method, by thread), GC, CPU load. */
    static List<String> summarize(Path file) {
        List<String> lines = new ArrayList<>();
        List<RecordedEvent> events;
        try {
            events = RecordingFile.readAllEvents(file);
        } catch (IOException e) {
            lines.add("    (could not read " + file + ": " + e + ")");
            return lines;
        }
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> runtimeInclusive = new HashMap<>();
        Map<String, Integer> groups = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, long[]> parks = new HashMap<>();
        int samples = 0;
        int bench = 0;
        double cpuJvm = 0;
        double cpuMachine = 0;
        int cpuEvents = 0;
        long gcPauseNanos = 0;
        long gcMaxPause = 0;
        int gcs = 0;
        for (RecordedEvent event : events) {
            switch (event.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) continue;
                    samples++;
                    List<RecordedFrame> frames = stack.getFrames();
                    self.merge(method(frames.getFirst()), 1, Integer::sum);
                    boolean benchSide = false;
                    Set<String> seen = new HashSet<>();
                    Set<String> seenGroups = new HashSet<>();
                    for (RecordedFrame frame : frames) {
                        String type = frame.getMethod().getType().getName();
                        if (type.startsWith("io.parley.runtime.bench.") || type.startsWith("jdk.internal.net.http.")) benchSide = true;
                        if (type.startsWith("io.parley.runtime.") && !type.startsWith("io.parley.runtime.bench.")) {
                            String m = method(frame);
                            if (seen.add(m)) runtimeInclusive.merge(m, 1, Integer::sum);
                        }
                        String group = group(type);
                        if (group != null && seenGroups.add(group)) groups.merge(group, 1, Integer::sum);
                    }
                    if (benchSide) bench++;
                    String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
                    threads.merge(thread == null || thread.isEmpty() ? "(unnamed virtual thread)" : thread.replaceAll("\\d+", "#"), 1, Integer::sum);
                }
                case "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait" -> {
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null) continue;
                    String where = null;
                    for (RecordedFrame frame : stack.getFrames()) {
                        String type = frame.getMethod().getType().getName();
                        if (type.startsWith("io.parley.runtime.bench.")) break;
                        if (type.startsWith("io.parley.runtime.") && !type.contains("$$Lambda")) {
                            where = method(frame);
                            break;
                        }
                    }
                    if (where == null) continue;
                    long[] stat = parks.computeIfAbsent(event.getEventType().getName().substring(4) + " in " + where, k -> new long[2]);
                    stat[0]++;
                    stat[1] += event.getDuration().toNanos();
                }
                case "jdk.CPULoad" -> {
                    cpuJvm += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                    cpuMachine += event.getFloat("machineTotal");
                    cpuEvents++;
                }
                case "jdk.GarbageCollection" -> {
                    long pause = event.getDuration("sumOfPauses").toNanos();
                    gcPauseNanos += pause;
                    gcMaxPause = Math.max(gcMaxPause, event.getDuration("longestPause").toNanos());
                    gcs++;
                }
                default -> { }
            }
        }
        if (cpuEvents > 0) {
            lines.add(String.format("    CPU: this JVM %.0f%% of the machine, whole machine %.0f%% (2 cores = 100%%)",
                    100 * cpuJvm / cpuEvents, 100 * cpuMachine / cpuEvents));
        }
        lines.add(String.format("    GC: %d collections, %.1f ms paused in all, longest pause %.1f ms", gcs, gcPauseNanos / 1e6, gcMaxPause / 1e6));
        if (samples == 0) {
            lines.add("    (no execution samples)");
            return lines;
        }
        int total = samples;
        lines.add(String.format("    %d execution samples: load generator (emulator + JDK WebSocket client + fakes) %.0f%%, runtime side %.0f%%",
                total, 100.0 * bench / total, 100.0 * (total - bench) / total));
        lines.add("    by thread: " + top(threads, 8, total));
        lines.add("    by library (inclusive): " + top(groups, 12, total));
        lines.add("    runtime methods (inclusive):");
        runtimeInclusive.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(14).forEach(e ->
                lines.add(String.format("      %5.1f%%  %s", 100.0 * e.getValue() / total, e.getKey())));
        if (!parks.isEmpty()) {
            lines.add("    runtime threads waiting 20 ms or more (JFR ThreadPark/MonitorEnter/MonitorWait, by innermost runtime method):");
            parks.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(8).forEach(e ->
                    lines.add(String.format("      %5d waits, %8.0f ms in all  %s", e.getValue()[0], e.getValue()[1] / 1e6, e.getKey())));
        }
        lines.add("    hottest methods (self):");
        self.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12).forEach(e ->
                lines.add(String.format("      %5.1f%%  %s", 100.0 * e.getValue() / total, e.getKey())));
        return lines;
    }

    private static String group(String type) {
        if (type.startsWith("io.parley.runtime.bench.")) return "bench";
        if (type.startsWith("jdk.internal.net.http.")) return "jdk-websocket-client";
        if (type.startsWith("io.parley.runtime.media.twilio.TwilioCodec")) return "TwilioCodec";
        if (type.startsWith("io.parley.runtime.conversation.")) return "conversation-engine";
        if (type.startsWith("io.parley.runtime.session.")) return "session(redis)";
        if (type.startsWith("io.parley.runtime.media.Resampler") || type.startsWith("io.parley.runtime.media.Mulaw")) return "resample+mulaw";
        if (type.startsWith("tools.jackson.")) return "jackson";
        if (type.startsWith("io.lettuce.") || type.startsWith("io.netty.")) return "lettuce/netty";
        if (type.startsWith("org.springframework.data.redis.")) return "spring-data-redis";
        if (type.startsWith("org.apache.tomcat.websocket.")) return "tomcat-websocket";
        if (type.startsWith("org.apache.tomcat.") || type.startsWith("org.apache.coyote.")) return "tomcat";
        if (type.startsWith("sun.nio.ch.")) return "nio";
        if (type.startsWith("java.lang.VirtualThread") || type.startsWith("java.util.concurrent.ForkJoin")) return "virtual-threads/fj";
        if (type.startsWith("jdk.jfr.") || type.startsWith("jdk.internal.event.")) return "jfr";
        return null;
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String top(Map<String, Integer> counts, int n, int total) {
        StringBuilder sb = new StringBuilder();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n).forEach(e ->
                sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / total)));
        return sb.toString();
    }
}

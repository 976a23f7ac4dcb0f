package io.parley.runtime.speech.offline;

import static io.parley.runtime.speech.offline.PhoneLineSpeech.concat;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.say;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.silence;

import io.parley.runtime.speech.SpeechToText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints the offline recogniser's figures: decoder load time, grammar switch time, real-time factor
 * and word error rate on flite speech over a μ-law line. A program, not a test:
 * {@code java --enable-native-access=ALL-UNNAMED -cp <test classpath> io.parley.runtime.speech.offline.OfflineSpeechBenchmark}.
 */
public final class OfflineSpeechBenchmark {

    private static final List<String> PHRASES = List.of("yes", "no", "a red bicycle", "a puppy", "my name is ella");
    private static final List<String> DIGITS = List.of("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    private static final List<String> NUMBERS = List.of("seven seven zero zero", "four one five five five zero one nine nine", "one two three",
            "nine", "eight six seven five three oh nine", "zero two zero", "six", "three three", "two oh one four");
    private static final List<String> VOICES = List.of("slt", "rms", "awb", "kal16");

    public static void main(String[] args) throws Exception {
        PocketSphinxProperties properties = new PocketSphinxProperties(null, null, 0, Duration.ofSeconds(600),
                args.length > 1 ? Double.parseDouble(args[1]) : null, null, null, args.length > 0 ? Double.parseDouble(args[0]) : null);
        loadTimes(properties);
        try (PocketSphinxSpeechToText recogniser = new PocketSphinxSpeechToText(properties.withPoolSize(2))) {
            int[] errors = new int[2];
            double[] audio = new double[1];
            long[] nanos = new long[1];
            for (String voice : VOICES) {
                score(recogniser, voice, PHRASES, PHRASES, errors, audio, nanos);
                score(recogniser, voice, DIGITS, NUMBERS, errors, audio, nanos);
            }
            System.out.printf("word errors %d of %d words: WER %.1f%%%n", errors[0], errors[1], 100.0 * errors[0] / errors[1]);
            System.out.printf("decoding: %.1f s of audio in %.0f ms of decoder time, real-time factor %.4f%n",
                    audio[0], nanos[0] / 1e6, nanos[0] / 1e9 / audio[0]);
        }
    }

    private static void loadTimes(PocketSphinxProperties properties) {
        PocketSphinx native_ = PocketSphinx.load();
        List<Long> loads = new ArrayList<>();
        List<Long> switches = new ArrayList<>();
        PronunciationDictionary dictionary = PronunciationDictionary.load(properties.dictionary());
        List<Decoder> decoders = new ArrayList<>();
        long rssBefore = residentKilobytes();
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            Decoder decoder = new Decoder(native_, List.of("-hmm", properties.model().toString(), "-dict", properties.dictionary().toString(),
                    "-logfn", "/dev/null"));
            long loaded = System.nanoTime();
            decoder.useGrammar(JsgfGrammar.of(i % 2 == 0 ? PHRASES : DIGITS, dictionary).jsgf());
            switches.add((System.nanoTime() - loaded) / 1_000);
            loads.add((loaded - started) / 1_000_000);
            decoders.add(decoder);
        }
        long rssAfter = residentKilobytes();
        decoders.forEach(Decoder::free);
        System.out.printf("native memory per loaded decoder: about %d MB (resident set, 5 decoders)%n", (rssAfter - rssBefore) / 5 / 1024);
        long calibrating = System.nanoTime();
        try (PocketSphinxSpeechToText recogniser = new PocketSphinxSpeechToText(properties)) {
            System.out.printf("recogniser start (library, dictionary word list, first decoder with 1 s calibration): %d ms%n",
                    (System.nanoTime() - calibrating) / 1_000_000);
        }
        System.out.println("decoder load (ps_init), ms: " + loads);
        System.out.println("grammar switch (ps_set_jsgf_string + ps_set_search), µs: " + switches);
    }

    private static void score(PocketSphinxSpeechToText recogniser, String voice, List<String> grammar, List<String> said, int[] errors,
                              double[] audio, long[] nanos) throws Exception {
        RecordingListener listener = new RecordingListener();
        List<byte[]> turns = new ArrayList<>();
        for (String text : said) {
            turns.add(concat(silence(500), say(text, voice), silence(1200)));
        }
        byte[] call = concat(turns.toArray(byte[][]::new));
        long before = recogniser.decodeNanos();
        try (SpeechToText.Stream stream = recogniser.open(new SpeechToText.StreamSettings("en-US", grammar, null), listener)) {
            for (int at = 0; at < call.length; at += 160) {
                stream.audio(call, at, Math.min(160, call.length - at));
            }
            listener.await(e -> e.equals("silent"), said.size(), Duration.ofSeconds(60));
            Thread.sleep(50);
        }
        nanos[0] += recogniser.decodeNanos() - before;
        audio[0] += call.length / 8_000.0;
        List<String> heard = listener.finals();
        String reference = String.join(" | ", said);
        String hypothesis = String.join(" | ", heard);
        int wordErrors = distance(words(reference), words(hypothesis));
        errors[0] += wordErrors;
        errors[1] += words(reference).size();
        System.out.printf("%-6s %-8s %2d errors  heard: %s%n", voice, grammar == DIGITS ? "digits" : "phrases", wordErrors, heard);
    }

    private static long residentKilobytes() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("[\\s|]+")).filter(w -> !w.isEmpty()).toList();
    }

    /** Word-level Levenshtein distance (substitutions, insertions, deletions). */
    private static int distance(List<String> a, List<String> b) {
        int[][] d = new int[a.size() + 1][b.size() + 1];
        for (int i = 0; i <= a.size(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.size(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                int substitution = d[i - 1][j - 1] + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1);
                d[i][j] = Math.min(substitution, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
            }
        }
        return d[a.size()][b.size()];
    }

    private OfflineSpeechBenchmark() {}
}

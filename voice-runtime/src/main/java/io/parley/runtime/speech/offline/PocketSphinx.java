package io.parley.runtime.speech.offline;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The few functions of Debian's pocketsphinx 0.8 (5prealpha) C API that the recogniser needs, bound
 * with the FFM API. {@code cmd_ln_init} lives in libsphinxbase, the rest in libpocketsphinx. The
 * libraries are loaded once per JVM and never unloaded.
 */
final class PocketSphinx {

    static final String LIBRARY = "libpocketsphinx.so.3";
    static final String BASE_LIBRARY = "libsphinxbase.so.3";

    private static PocketSphinx instance;

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup base;
    private final MethodHandle psArgs;          // arg_t const *ps_args(void)
    private final MethodHandle psInit;          // ps_decoder_t *ps_init(cmd_ln_t *config)
    private final MethodHandle psFree;          // int ps_free(ps_decoder_t *ps)
    private final MethodHandle cmdLnFree;       // int cmd_ln_free_r(cmd_ln_t *cmdln)
    private final MethodHandle setJsgfString;   // int ps_set_jsgf_string(ps_decoder_t *ps, const char *name, const char *jsgf)
    private final MethodHandle setSearch;       // int ps_set_search(ps_decoder_t *ps, const char *name)
    private final MethodHandle startUtt;        // int ps_start_utt(ps_decoder_t *ps)
    private final MethodHandle endUtt;          // int ps_end_utt(ps_decoder_t *ps)
    private final MethodHandle processRaw;      // int ps_process_raw(ps_decoder_t *ps, int16 const *data, size_t n_samples, int no_search, int full_utt)
    private final MethodHandle getInSpeech;     // uint8 ps_get_in_speech(ps_decoder_t *ps)
    private final MethodHandle getHyp;          // char const *ps_get_hyp(ps_decoder_t *ps, int32 *out_best_score)

    private PocketSphinx() {
        Arena global = Arena.global();
        SymbolLookup ps;
        try {
            base = SymbolLookup.libraryLookup(BASE_LIBRARY, global);
            ps = SymbolLookup.libraryLookup(LIBRARY, global);
        } catch (IllegalArgumentException e) {
            throw new OfflineSpeechUnavailableException(
                    "Cannot load " + LIBRARY + " / " + BASE_LIBRARY + ": " + OfflineSpeechUnavailableException.INSTALL_HINT, e);
        }
        psArgs = bind(ps, "ps_args", FunctionDescriptor.of(ADDRESS));
        psInit = bind(ps, "ps_init", FunctionDescriptor.of(ADDRESS, ADDRESS));
        psFree = bind(ps, "ps_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        cmdLnFree = bind(base, "cmd_ln_free_r", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setJsgfString = bind(ps, "ps_set_jsgf_string", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        setSearch = bind(ps, "ps_set_search", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        startUtt = bind(ps, "ps_start_utt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        endUtt = bind(ps, "ps_end_utt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        processRaw = bind(ps, "ps_process_raw", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT));
        getInSpeech = bind(ps, "ps_get_in_speech", FunctionDescriptor.of(JAVA_BYTE, ADDRESS));
        getHyp = bind(ps, "ps_get_hyp", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        base.findOrThrow("cmd_ln_init");
        // Logging off, once for the process. The alternative, "-logfn /dev/null" per decoder, makes
        // sphinxbase fclose() the global log FILE while other decoders may be writing to it.
        MethodHandle setLogFile = bind(base, "err_set_logfp", FunctionDescriptor.ofVoid(ADDRESS)); // void err_set_logfp(FILE *stream)
        try {
            setLogFile.invokeExact(MemorySegment.NULL); // NULL: disabled
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The bindings; throws {@link OfflineSpeechUnavailableException} when the libraries are not installed. */
    static synchronized PocketSphinx load() {
        if (instance == null) {
            instance = new PocketSphinx();
        }
        return instance;
    }

    private MethodHandle bind(SymbolLookup library, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = library.find(name).orElseThrow(() -> new OfflineSpeechUnavailableException(
                "Symbol " + name + " missing: pocketsphinx is not the 0.8 (5prealpha) API; " + OfflineSpeechUnavailableException.INSTALL_HINT));
        return linker.downcallHandle(symbol, descriptor);
    }

    /**
     * {@code cmd_ln_init(NULL, ps_args(), TRUE, name1, value1, ..., NULL)}: a decoder configuration
     * from name/value pairs (C strings in {@code arena}). Variadic, so the handle is linked for this
     * exact number of arguments. Returns NULL when an option is refused.
     */
    MemorySegment configuration(Arena arena, List<String> options) {
        MemoryLayout[] layouts = new MemoryLayout[3 + options.size() + 1];
        layouts[0] = ADDRESS;
        layouts[1] = ADDRESS;
        layouts[2] = JAVA_INT;
        for (int i = 3; i < layouts.length; i++) {
            layouts[i] = ADDRESS;
        }
        MethodHandle init = linker.downcallHandle(base.findOrThrow("cmd_ln_init"), FunctionDescriptor.of(ADDRESS, layouts),
                Linker.Option.firstVariadicArg(3));
        Object[] arguments = new Object[layouts.length];
        try {
            arguments[0] = MemorySegment.NULL;
            arguments[1] = (MemorySegment) psArgs.invokeExact();
            arguments[2] = 1; // strict
            for (int i = 0; i < options.size(); i++) {
                arguments[3 + i] = arena.allocateFrom(options.get(i));
            }
            arguments[layouts.length - 1] = MemorySegment.NULL;
            return (MemorySegment) init.invokeWithArguments(arguments);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment init(MemorySegment config) {
        try {
            return (MemorySegment) psInit.invokeExact(config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int free(MemorySegment ps) {
        try {
            return (int) psFree.invokeExact(ps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int freeConfiguration(MemorySegment config) {
        try {
            return (int) cmdLnFree.invokeExact(config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int setJsgfString(MemorySegment ps, MemorySegment name, MemorySegment jsgf) {
        try {
            return (int) setJsgfString.invokeExact(ps, name, jsgf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int setSearch(MemorySegment ps, MemorySegment name) {
        try {
            return (int) setSearch.invokeExact(ps, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int startUtterance(MemorySegment ps) {
        try {
            return (int) startUtt.invokeExact(ps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int endUtterance(MemorySegment ps) {
        try {
            return (int) endUtt.invokeExact(ps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int processRaw(MemorySegment ps, MemorySegment samples, long count) {
        try {
            return (int) processRaw.invokeExact(ps, samples, count, 0, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean inSpeech(MemorySegment ps) {
        try {
            return (byte) getInSpeech.invokeExact(ps) != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The best hypothesis so far (or of the last utterance), words separated by spaces; "" when none. */
    String hypothesis(MemorySegment ps, MemorySegment score) {
        MemorySegment hyp;
        try {
            hyp = (MemorySegment) getHyp.invokeExact(ps, score);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        // the string belongs to the decoder and lives until its next call: copy it out now
        return hyp.equals(MemorySegment.NULL) ? "" : hyp.reinterpret(Long.MAX_VALUE).getString(0).strip();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

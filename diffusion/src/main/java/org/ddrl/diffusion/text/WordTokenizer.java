package org.ddrl.diffusion.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * Captions to fixed-length id rows over a {@link Vocabulary}. Each row is {@code <cls>} followed by the
 * caption's words (unknown ones as {@code <unk>}), cut to maxLength, then {@code <pad>} to maxLength.
 *
 * <p>Because every row starts with {@code <cls>}, even the empty caption has one real token: cross-attention
 * to a caption never sees a row with every key masked (which would give NaN). The empty caption, [{@code <cls>},
 * {@code <pad>}, ...], is the unconditional input of classifier-free guidance (see {@link TextDropout}).
 */
public final class WordTokenizer {
    private final Vocabulary vocab;
    private final int maxLength;

    /** maxLength counts the {@code <cls>} token, so captions keep at most maxLength - 1 words. */
    public WordTokenizer(Vocabulary vocab, int maxLength) {
        if (maxLength < 1) throw new IllegalArgumentException("WordTokenizer: max length must be >= 1 (room for <cls>), got " + maxLength);
        this.vocab = vocab;
        this.maxLength = maxLength;
    }

    /** A tokenizer over the vocabulary file at {@code path}. */
    public static WordTokenizer load(Path path, int maxLength) throws IOException {
        return new WordTokenizer(Vocabulary.read(path), maxLength);
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    public int maxLength() {
        return maxLength;
    }

    /** One caption's ids, {@code <cls>} first, without padding (at most maxLength). */
    public long[] ids(String caption) {
        List<String> words = Vocabulary.words(caption);
        int n = Math.min(words.size(), maxLength - 1);
        long[] out = new long[n + 1];
        out[0] = Vocabulary.CLS_ID;
        for (int i = 0; i < n; i++) out[i + 1] = vocab.id(words.get(i));
        return out;
    }

    /** A batch of captions as ids [B, maxLength] and mask [B, maxLength]. */
    public Tokens encode(List<String> captions) {
        int b = captions.size();
        long[] ids = new long[b * maxLength];
        boolean[] mask = new boolean[b * maxLength];
        for (int r = 0; r < b; r++) {
            long[] row = ids(captions.get(r));
            System.arraycopy(row, 0, ids, r * maxLength, row.length);
            for (int j = 0; j < row.length; j++) mask[r * maxLength + j] = true;
        }
        return new Tokens(Tensor.of(ids, b, maxLength), Tensor.of(mask, b, maxLength));
    }

    /** The words of one row of ids, space-separated; {@code <pad>} and {@code <cls>} are left out, {@code <unk>} shown. */
    public String decode(long[] ids) {
        List<String> out = new ArrayList<>();
        for (long id : ids) {
            if (id == Vocabulary.PAD_ID || id == Vocabulary.CLS_ID) continue;
            out.add(vocab.word(Math.toIntExact(id)));
        }
        return String.join(" ", out);
    }

    /** Every row of a batch decoded. */
    public List<String> decode(Tokens tokens) {
        long[] all = tokens.ids().toLongArray();
        int l = tokens.length();
        List<String> out = new ArrayList<>(tokens.batch());
        for (int r = 0; r < tokens.batch(); r++) out.add(decode(Arrays.copyOfRange(all, r * l, (r + 1) * l)));
        return out;
    }
}

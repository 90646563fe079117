package org.ddrl.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class TextEncoderTest {
    private static final List<String> CAPTIONS = List.of("a red circle moving left", "a blue square", "");
    private final WordTokenizer tok = new WordTokenizer(Vocabulary.build(CAPTIONS), 8);

    @Test
    void encodesEachTokenAndZeroesPadding() {
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), 8, 16, 2, 4, new Generator(1));
        Tokens t = tok.encode(CAPTIONS);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor out = enc.forward(t);
            assertArrayEquals(new int[] {3, 8, 16}, out.shape());
            Tensor padded = out.mul(t.mask().logicalNot().unsqueeze(-1).to(DType.F32));
            assertEquals(0.0, padded.abs().max().item());
            assertTrue(out.select(0, 2).select(0, 0).abs().max().item() > 0, "the <cls> of the empty caption is a real token");
        }
    }

    @Test
    void paddedIdsDoNotReachRealTokens() {
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), 8, 16, 2, 4, new Generator(2));
        Tokens t = tok.encode(List.of("a blue square"));
        long[] other = t.ids().toLongArray();
        for (int j = 4; j < other.length; j++) other[j] = tok.vocabulary().id("circle");
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor a = enc.forward(t);
            Tensor b = enc.forward(Tensor.of(other, 1, 8), t.mask());
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
        }
    }

    @Test
    void everyParameterGetsAGradient() {
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), 8, 16, 2, 4, new Generator(3));
        try (Scope s = Scope.open()) {
            enc.forward(tok.encode(CAPTIONS)).pow(2).sum().backward();
        }
        enc.namedParameters().forEach((name, p) -> assertNotNull(p.grad(), name));
    }

    @Test
    void tooLongOrMismatchedInputsAreRejected() {
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), 4, 16, 1, 4, new Generator(4));
        Tokens t = tok.encode(CAPTIONS);
        var e = assertThrows(IllegalArgumentException.class, () -> enc.forward(t));
        assertTrue(e.getMessage().contains("[3, 8]") && e.getMessage().contains("max length 4"), e.getMessage());
        var m = assertThrows(IllegalArgumentException.class, () -> enc.forward(t.ids(), t.mask().slice(1, 0, 3)));
        assertTrue(m.getMessage().contains("BOOL[3, 3]"), m.getMessage());
    }
}

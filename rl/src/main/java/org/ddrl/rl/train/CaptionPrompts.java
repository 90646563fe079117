package org.ddrl.rl.train;

import java.util.ArrayList;
import java.util.List;

/** Prompts from a plain list of captions, without anchor videos (for the arms that need none). */
public final class CaptionPrompts implements PromptSource {
    private final List<String> captions;

    public CaptionPrompts(List<String> captions) {
        if (captions.isEmpty()) throw new IllegalArgumentException("CaptionPrompts: no captions given");
        this.captions = List.copyOf(captions);
    }

    @Override
    public int size() {
        return captions.size();
    }

    @Override
    public boolean hasAnchors() {
        return false;
    }

    @Override
    public Prompts get(int[] indices, boolean withAnchors) {
        if (withAnchors) throw new UnsupportedOperationException("CaptionPrompts: plain captions have no anchor videos");
        List<String> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            if (i < 0 || i >= captions.size()) throw new IndexOutOfBoundsException("CaptionPrompts: index " + i + " of " + captions.size());
            out.add(captions.get(i));
        }
        return new Prompts(out, null);
    }
}

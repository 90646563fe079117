package org.ddrl.autodiff;

import org.ddrl.tensor.Tensor;

/**
 * One recorded step of the graph: the inputs it was computed from (saved for backward, with their storage
 * versions so in-place changes are caught), its output, and how to turn the output's gradient into the
 * inputs' gradients. Backward drops the saved tensors as soon as it has used them.
 */
final class Node {
    /** Maps the gradient of the node's output to one gradient per input (null where none is needed). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Node node, Tensor gradOutput);
    }

    final String name;
    private Tensor[] inputs;
    private final int[] inputVersions;
    private Tensor output;
    private final int outputVersion;
    final boolean[] needsGrad;
    private final Backward backward;
    private boolean released;

    Node(String name, Tensor[] inputs, Tensor output, boolean[] needsGrad, Backward backward) {
        this.name = name;
        this.inputs = inputs.clone();
        this.inputVersions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) inputVersions[i] = inputs[i] == null ? 0 : inputs[i].storage().version();
        this.output = output;
        this.outputVersion = output.storage().version();
        this.needsGrad = needsGrad;
        this.backward = backward;
    }

    /** The saved inputs; valid until the node is released. */
    Tensor[] inputs() {
        return inputs;
    }

    Tensor output() {
        return output;
    }

    boolean released() {
        return released;
    }

    Tensor[] run(Tensor gradOutput) {
        if (released) {
            throw new IllegalStateException("backward: the graph through " + name + " was already used by an earlier backward()"
                    + " and its saved tensors were freed; pass retainGraph = true to the first backward to call it twice");
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && inputs[i].storage().version() != inputVersions[i]) {
                throw new IllegalStateException("backward: input " + i + " of " + name + " (shape " + java.util.Arrays.toString(inputs[i].shape())
                        + ") was modified in place after it was saved for the gradient (version " + inputVersions[i] + " then, "
                        + inputs[i].storage().version() + " now); compute on a copy (copy()) instead of writing into it");
            }
        }
        if (output.storage().version() != outputVersion) {
            throw new IllegalStateException("backward: the output of " + name + " (shape " + java.util.Arrays.toString(output.shape())
                    + ") was modified in place after it was computed; its gradient would be wrong");
        }
        return backward.apply(this, gradOutput);
    }

    /** Drops the saved tensors (the graph cannot be walked through this node again). */
    void release() {
        released = true;
        inputs = new Tensor[inputs.length];
        output = null;
    }

    /** The nodes this one reads from (nulls where an input is a leaf or needs no grad). */
    Node[] parents() {
        Node[] p = new Node[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && needsGrad[i]) p[i] = (Node) inputs[i].gradNode();
        }
        return p;
    }
}

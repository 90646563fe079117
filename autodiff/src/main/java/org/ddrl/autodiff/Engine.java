package org.ddrl.autodiff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.GradEngine;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;

/**
 * Reverse-mode autodiff. While grad mode is on, every differentiable op with an input that requires
 * grad gets a {@link Node} holding its derivative rule from {@link Derivatives}. backward() walks the
 * nodes from the root in reverse topological order, sums the gradients arriving at each node, and
 * accumulates leaf gradients into {@link Tensor#grad()}.
 */
public final class Engine implements GradEngine {
    private static volatile boolean installed;

    /** Receives the gradient that reaches a leaf. */
    @FunctionalInterface
    interface LeafSink {
        void accept(Tensor leaf, Tensor grad);
    }

    @Override
    public synchronized void install() {
        if (installed) return;
        Dispatch.setInterceptor(Engine::record);
        installed = true;
    }

    /** Installs the engine without going through Tensor.requiresGrad (for code that builds nodes itself). */
    static void ensureInstalled() {
        GradEngine.get();
    }

    private static Tensor record(Op op, Attrs attrs, Tensor[] inputs, Dispatch.Invoker next) {
        boolean recording = GradMode.isEnabled();
        if (op == Op.ASSIGN && recording && inputs[0].requiresGrad()) {
            throw new IllegalStateException("assign: in-place write into a tensor that requires grad (shape "
                    + Arrays.toString(inputs[0].shape()) + ") while gradients are recorded; do it inside GradMode.noGrad()"
                    + " (as optimizers do) or write into a detached copy");
        }
        Tensor out = next.invoke(op, attrs, inputs);
        if (!recording || !op.differentiable()) return out;
        boolean[] needs = new boolean[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            needs[i] = inputs[i] != null && inputs[i].requiresGrad() && inputs[i].dtype().isFloatingPoint();
            any |= needs[i];
        }
        if (!any) return out;
        Derivatives.Rule rule = Derivatives.rule(op);
        if (rule == null) throw new IllegalStateException(op.opName() + ": no derivative rule, cannot record it for backward");
        for (Tensor in : inputs) {
            if (in == out) {
                out = out.detach(); // a kernel that returned its input: give the result its own identity
                break;
            }
        }
        Derivatives.Ctx ctx = new Derivatives.Ctx(op, attrs);
        out.setGradNode(new Node(op.opName(), inputs, out, needs, (n, g) -> rule.grads(ctx.bind(n), g)));
        return out;
    }

    /** Attaches a custom backward to output, computed from inputs (as torch.autograd.Function). */
    static Tensor attach(String name, Tensor[] inputs, Tensor output, Node.Backward backward) {
        ensureInstalled();
        if (!GradMode.isEnabled()) return output;
        boolean[] needs = new boolean[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            needs[i] = inputs[i] != null && inputs[i].requiresGrad();
            any |= needs[i];
        }
        if (!any) return output;
        Tensor out = output.isLeaf() && !output.requiresGrad() ? output : output.detach();
        out.setGradNode(new Node(name, inputs, out, needs, backward));
        return out;
    }

    @Override
    public void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        // sum what reaches each leaf over all paths first, so hooks see the leaf's whole gradient once
        Map<Tensor, Tensor> leaves = new IdentityHashMap<>();
        walk(root, gradOutput, retainGraph, (leaf, g) -> {
            Tensor prev = leaves.get(leaf);
            leaves.put(leaf, Scope.current().keep(prev == null ? g : prev.add(g)));
        });
        try (Scope scope = Scope.open(); GradMode.Guard noGrad = GradMode.noGrad()) {
            leaves.forEach(Engine::accumulate);
        }
    }

    /** d root / d wrt[i], without touching any .grad (torch.autograd.grad). Inputs the root does not depend on get null. */
    static Tensor[] grad(Tensor root, Tensor gradOutput, Tensor[] wrt, boolean retainGraph) {
        Map<Tensor, Tensor> found = new IdentityHashMap<>();
        for (Tensor t : wrt) found.put(t, null);
        walk(root, gradOutput, retainGraph, (leaf, g) -> {
            if (!found.containsKey(leaf)) return;
            Tensor prev = found.get(leaf);
            // the walk's scope closes on return: move the result out to the caller's scope
            found.put(leaf, Scope.current().keep(prev == null ? g : prev.add(g)));
        });
        Tensor[] out = new Tensor[wrt.length];
        for (int i = 0; i < wrt.length; i++) out[i] = found.get(wrt[i]);
        return out;
    }

    private static void walk(Tensor root, Tensor gradOutput, boolean retainGraph, LeafSink sink) {
        if (!Arrays.equals(gradOutput.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: output gradient shape " + Arrays.toString(gradOutput.shape())
                    + " does not match the output shape " + Arrays.toString(root.shape()));
        }
        Tensor seed = gradOutput.dtype() == root.dtype() ? gradOutput : gradOutput.to(root.dtype());
        try (Scope scope = Scope.open(); GradMode.Guard noGrad = GradMode.noGrad()) {
            Node rootNode = (Node) root.gradNode();
            if (rootNode == null) {
                sink.accept(root, seed);
                return;
            }
            Map<Node, Tensor> pending = new IdentityHashMap<>();
            pending.put(rootNode, seed);
            for (Node node : topologicalOrder(rootNode)) {
                Tensor g = pending.remove(node);
                if (g == null) continue;
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.run(g);
                for (int i = 0; i < inputs.length; i++) {
                    Tensor raw = i < grads.length ? grads[i] : null;
                    if (!node.needsGrad[i] || raw == null) continue;
                    Tensor in = inputs[i];
                    Tensor gi = GradUtil.sumToShape(raw, in.shape());
                    if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype());
                    Node parent = (Node) in.gradNode();
                    if (parent != null) pending.merge(parent, gi, Tensor::add);
                    else sink.accept(in, gi);
                }
                if (!retainGraph) node.release();
            }
        }
    }

    /** Leaf gradients live as long as the leaf: they move to the scope that owns it. */
    private static void accumulate(Tensor leaf, Tensor g) {
        for (var hook : leaf.hooks()) {
            Tensor h = hook.apply(g);
            if (h != null) g = h;
        }
        Tensor old = leaf.grad();
        if (old == null) {
            leaf.setGrad(Scope.transferToOwnerOf(g.copy(), leaf));
        } else {
            old.copyFrom(old.add(g));
        }
    }

    /** Nodes reachable from root, root first, each after every node that feeds gradient into it. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> post = new ArrayList<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, root.parents(), 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Node[] parents = (Node[]) top[1];
            int i = (Integer) top[2];
            if (i < parents.length) {
                top[2] = i + 1;
                Node p = parents[i];
                if (p != null && seen.putIfAbsent(p, true) == null) stack.push(new Object[] {p, p.parents(), 0});
            } else {
                stack.pop();
                post.add((Node) top[0]);
            }
        }
        Collections.reverse(post);
        return post;
    }
}

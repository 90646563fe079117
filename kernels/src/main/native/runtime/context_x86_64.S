// Fiber context switch for x86-64 (System V). Only the callee-saved registers and the stack pointer move:
// kernels cannot change MXCSR or the x87 control word, so they are not switched (about 15% cheaper), and
// unlike swapcontext there is no signal-mask system call.
//
//   void cudaemu_switch(void** save_sp, void* load_sp)
//     pushes the callee-saved registers, stores rsp in *save_sp, loads load_sp and pops the target's.
//   cudaemu_fiber_entry
//     where a fresh fiber's first switch returns to: r12 holds the Fiber*, rsp is 16-byte aligned.
    .text
    .globl cudaemu_switch
    .hidden cudaemu_switch
    .type cudaemu_switch, @function
    .p2align 4
cudaemu_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size cudaemu_switch, .-cudaemu_switch

    .globl cudaemu_fiber_entry
    .hidden cudaemu_fiber_entry
    .type cudaemu_fiber_entry, @function
    .p2align 4
cudaemu_fiber_entry:
    .cfi_startproc
    .cfi_undefined rip
    movq %r12, %rdi
    call cudaemu_fiber_main
    ud2
    .cfi_endproc
    .size cudaemu_fiber_entry, .-cudaemu_fiber_entry

    .section .note.GNU-stack,"",@progbits

// Emulated CUDA device: everything kernels need comes from cuda_emu.h, included before the source.
#pragma once

/**
 * Reading and writing tensors in two common file formats.
 *
 * <ul>
 *   <li>safetensors ({@link org.ddrl.tensor.io.Safetensors}, {@link org.ddrl.tensor.io.SafetensorsFile}): many
 *       named tensors plus string metadata; opened memory-mapped so that only the tensors asked for are read.</li>
 *   <li>NumPy {@code .npy} ({@link org.ddrl.tensor.io.Npy}): one array, as written by {@code numpy.save}.</li>
 * </ul>
 *
 * Files are validated before anything is allocated from the sizes they claim: a damaged or hostile file gives a
 * {@link org.ddrl.tensor.io.TensorFileException} naming the file and the offending numbers, never an
 * OutOfMemoryError or a wrong tensor. Writes go to a temporary file in the target's folder that is synced and then
 * renamed over the target, so readers see either the old file or the complete new one.
 */
package org.ddrl.tensor.io;

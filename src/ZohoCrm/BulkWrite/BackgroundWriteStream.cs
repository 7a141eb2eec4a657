using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// A write-only stream that hands what is written, in blocks, to a thread of its own that writes it on into
    /// <see cref="Target"/> (a ZIP entry: Deflate, CRC and the file). The pipeline thread only formats the CSV, so a
    /// second core compresses while the next rows are read. At most <see cref="MaxQueuedBlocks"/> blocks wait, so
    /// memory stays bounded; a failure of the target (a full disk) is thrown by the next Write or by Dispose.
    /// The two threads meet on a plain lock with Monitor.Wait, not a BlockingCollection: its SemaphoreSlim spins
    /// before it sleeps, and on 2 cores the writing thread, waiting for the next block, spun away more CPU (100-190
    /// ms per 25,000 rows in a trace) than the Deflate it takes off the pipeline thread.
    /// </summary>
    internal sealed class BackgroundWriteStream : Stream
    {
        public const int BlockBytes = 64 * 1024;
        public const int MaxQueuedBlocks = 4;

        private readonly Queue<Block> _queue = new Queue<Block>(MaxQueuedBlocks);
        private bool _completed; // no more blocks come (Dispose), or the target failed; under _gate
        private readonly ConcurrentBag<byte[]> _free = new ConcurrentBag<byte[]>();
        private readonly Task _consumer;
        private readonly Action _afterBlock;
        private readonly object _gate = new object();
        private byte[] _block;
        private int _used;
        private long _queuedBytes;
        private ExceptionDispatchInfo _failure;
        private bool _disposed;

        private struct Block { public byte[] Bytes; public int Count; }

        /// <param name="afterBlock">Called on the writing thread after each block is written into the target.</param>
        public BackgroundWriteStream(Stream target, Action afterBlock = null)
        {
            Target = target;
            _afterBlock = afterBlock;
            _consumer = Task.Factory.StartNew(Consume, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public Stream Target { get; }

        /// <summary>Bytes written here and not yet into the target (read from the writing thread's side: an upper bound).</summary>
        public long QueuedBytes => Interlocked.Read(ref _queuedBytes) + _used;

        private void Consume()
        {
            try
            {
                while (true)
                {
                    Block block;
                    lock (_gate)
                    {
                        while (_queue.Count == 0 && !_completed) Monitor.Wait(_gate);
                        if (_queue.Count == 0) return;
                        block = _queue.Dequeue();
                        Monitor.PulseAll(_gate); // room for the writer
                    }
                    Target.Write(block.Bytes, 0, block.Count);
                    _afterBlock?.Invoke();
                    _free.Add(block.Bytes);
                    if (Interlocked.Add(ref _queuedBytes, -block.Count) == 0)
                        lock (_gate) Monitor.PulseAll(_gate);
                }
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _failure, ExceptionDispatchInfo.Capture(ex));
                // Unblock a writer waiting for room: nothing more is taken.
                lock (_gate) { _completed = true; Monitor.PulseAll(_gate); }
            }
        }

        /// <summary>Sends what is buffered and waits until the target has all of it.</summary>
        public void Drain()
        {
            SendOrThrow();
            lock (_gate)
                while (Interlocked.Read(ref _queuedBytes) > 0 && Volatile.Read(ref _failure) == null) Monitor.Wait(_gate, 100);
            ThrowIfFailed();
        }

        [MethodImpl(Hot.Path)]
        public override void Write(byte[] buffer, int offset, int count)
        {
            ThrowIfFailed();
            while (count > 0)
            {
                if (_block == null && !_free.TryTake(out _block)) _block = new byte[BlockBytes];
                int n = Math.Min(count, BlockBytes - _used);
                Buffer.BlockCopy(buffer, offset, _block, _used, n);
                _used += n; offset += n; count -= n;
                if (_used == BlockBytes) SendOrThrow();
            }
        }

        private void SendOrThrow()
        {
            try { Send(); }
            catch (InvalidOperationException) { ThrowIfFailed(); throw; }
        }

        [MethodImpl(Hot.Path)]
        private void Send()
        {
            if (_used == 0) return;
            Interlocked.Add(ref _queuedBytes, _used);
            var block = new Block { Bytes = _block, Count = _used };
            _block = null; _used = 0;
            lock (_gate)
            {
                while (_queue.Count >= MaxQueuedBlocks && !_completed) Monitor.Wait(_gate);
                if (_completed) throw new InvalidOperationException("The writing thread has stopped."); // a failed target
                _queue.Enqueue(block);
                Monitor.PulseAll(_gate);
            }
        }

        private void ThrowIfFailed() => Volatile.Read(ref _failure)?.Throw();

        /// <summary>Sends what is buffered (the target gets it soon, not by the time this returns).</summary>
        public override void Flush()
        {
            ThrowIfFailed();
            SendOrThrow();
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed || !disposing) { base.Dispose(disposing); return; }
            _disposed = true;
            try
            {
                try { if (Volatile.Read(ref _failure) == null) Send(); }
                catch (InvalidOperationException) { } // the consumer failed: thrown below
                finally
                {
                    lock (_gate) { _completed = true; Monitor.PulseAll(_gate); }
                    _consumer.Wait();
                }
                ThrowIfFailed();
                Target.Dispose();
            }
            finally
            {
                base.Dispose(disposing);
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => !_disposed;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

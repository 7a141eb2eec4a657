using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Several calls in flight beside the pipeline thread (at most <c>limit</c> running at once), whose outcomes the
    /// pipeline thread takes in the order the calls were started, so output keeps the input's order. While it waits for
    /// one, it writes the calls' verbose/debug/progress messages (Write* is only allowed there). Ctrl+C (the cmdlet's
    /// StopToken) cancels every call; so does Dispose.
    /// </summary>
    internal sealed class OrderedCalls<TTag, TResult> : IDisposable
    {
        private readonly ZcrmCmdlet _cmdlet;
        private readonly BlockingCollection<Action> _messages = new BlockingCollection<Action>();
        private readonly ZcrmCmdlet.QueueSink _sink;
        private readonly CancellationTokenSource _cancel;
        private readonly SemaphoreSlim _slots;
        private readonly Queue<KeyValuePair<TTag, Task<TResult>>> _started = new Queue<KeyValuePair<TTag, Task<TResult>>>();
        private static readonly Action Nothing = () => { };

        /// <param name="limit">How many calls run at once.</param>
        /// <param name="window">How many calls may be started and not yet taken (running, waiting for a slot, or done and waiting for their turn).</param>
        public OrderedCalls(ZcrmCmdlet cmdlet, int limit, int window)
        {
            _cmdlet = cmdlet;
            _sink = new ZcrmCmdlet.QueueSink(cmdlet, _messages);
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(cmdlet.StopToken);
            _slots = new SemaphoreSlim(limit, limit);
            Window = window;
        }

        public int Window { get; }

        /// <summary>Calls started (or outcomes added) and not yet taken.</summary>
        public int Count => _started.Count;

        public bool Full => _started.Count >= Window;

        /// <summary>Starts a call: it runs as soon as one of the limit's slots is free.</summary>
        public void Start(TTag tag, Func<CancellationToken, Task<TResult>> call)
        {
            var ct = _cancel.Token;
            var task = Task.Run(async () =>
            {
                OperationLog.Sink = _sink;
                await _slots.WaitAsync(ct).ConfigureAwait(false);
                try { return await call(ct).ConfigureAwait(false); }
                finally { _slots.Release(); }
            });
            // Wakes the pipeline thread if it waits for this call.
            task.ContinueWith(_ => Post(Nothing), TaskScheduler.Default);
            _started.Enqueue(new KeyValuePair<TTag, Task<TResult>>(tag, task));
        }

        /// <summary>An outcome already known (results read back from a run): taken in its turn, after the calls started before it.</summary>
        public void Add(TTag tag, TResult result) => _started.Enqueue(new KeyValuePair<TTag, Task<TResult>>(tag, Task.FromResult(result)));

        /// <summary>
        /// The oldest outcome not yet taken: if it has ended (or, with <paramref name="wait"/>, once it ends). The
        /// task is complete; its result or exception is the call's. False when there is none (or it is still running).
        /// </summary>
        public bool TryTake(bool wait, out TTag tag, out Task<TResult> outcome)
        {
            tag = default(TTag);
            outcome = null;
            WriteMessages();
            if (_started.Count == 0) return false;
            var head = _started.Peek();
            if (!head.Value.IsCompleted)
            {
                if (!wait) return false;
                try
                {
                    while (!head.Value.IsCompleted) _messages.Take(_cmdlet.StopToken)();
                }
                catch (OperationCanceledException) when (_cmdlet.StopToken.IsCancellationRequested)
                {
                    Cancel();
                    throw new PipelineStoppedException();
                }
                catch
                {
                    // Writing a message failed (the pipeline stopped, -Debug answered Halt...): no call goes on unseen.
                    Cancel();
                    throw;
                }
                WriteMessages();
            }
            _started.Dequeue();
            tag = head.Key;
            outcome = head.Value;
            return true;
        }

        /// <summary>The messages queued so far, without waiting.</summary>
        private void WriteMessages()
        {
            try
            {
                while (_messages.TryTake(out var action)) action();
            }
            catch
            {
                Cancel();
                throw;
            }
        }

        private void Post(Action action)
        {
            try { _messages.Add(action); } catch (InvalidOperationException) { /* disposed */ }
        }

        /// <summary>Cancels the calls still running and gives them a moment to end.</summary>
        private void Cancel()
        {
            if (_cancel.IsCancellationRequested) return;
            _cancel.Cancel();
            var running = new List<Task>();
            foreach (var s in _started) if (!s.Value.IsCompleted) running.Add(s.Value);
            try { Task.WaitAll(running.ToArray(), TimeSpan.FromSeconds(2)); }
            catch (AggregateException) { /* cancelled or failed: their outcome is no longer wanted */ }
        }

        public void Dispose()
        {
            Cancel();
            _messages.CompleteAdding();
        }
    }
}

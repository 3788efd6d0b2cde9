"""Mixture-of-experts layers as their plain-PyTorch references write them, each run step
for step next to PyTorch from the same weights and tokens (float64): outputs, auxiliary
losses, gradients and the parameters after Adam steps agree to 1e-10.

- GShard / fairscale ``top1gating`` + ``MOELayer`` (as DeepSpeed copies it): router
  softmax, ``argmax``, ``F.one_hot``, capacity by ``torch.cumsum(mask1, dim=0) - 1`` and
  ``mask1 *= torch.lt(locations1, capacity)``, the auxiliary loss ``sum(me * ce) * E``,
  dispatch and combine by ``einsum("sec,sm->ecm")`` / ``einsum("sec,ecm->sm")``;
- Hugging Face's Switch Transformers router and sparse MLP: ``F.one_hot`` of the
  ``argmax``, ``token_priority = torch.cumsum(expert_index, dim=-2)``, the capacity mask,
  experts in an ``nn.ModuleDict`` called by ``next_states[router_mask[:, :, idx]] = ...``,
  the router z-loss (``logsumexp ** 2``) and the load-balancing loss;
- Mixtral's sparse top-2 block: ``torch.topk`` of the softmax, ``routing_weights /=
  routing_weights.sum(...)``, ``one_hot(...).permute(2, 1, 0)``, ``torch.where`` of an
  expert's mask and ``final_hidden_states.index_add_(0, top_x, ...)``, with its
  load-balancing loss, and the same routing by ``torch.argsort(stable=True)``.

Lines written differently here:
- ``torch.nn.functional.one_hot`` and ``softmax`` are ``F.one_hot``, ``F.softmax``
  (``autograd`` never imports ``nn``; its ``MissingNameError`` says so);
- the Switch load-balancing loss's ``torch.max(expert_mask, axis=-2).values``: PyTorch
  reads ``axis=`` as ``dim=``; here ``axis=`` is NumPy's and gives the values alone, so it
  is ``dim=-2`` (``.values`` on a tensor says so, ``test_pair_fields_named.py``);
- Mixtral's ``F.softmax(router_logits, dim=1, dtype=torch.float)`` (an upcast from
  bfloat16) is ``dtype=torch.float64``: ``torch.float`` is float32 in both libraries, and
  the two float32 softmaxes round differently in the last place.
"""

import math

import numpy as np

import autograd as ag
from test_pytorch_ports_gpt_lecture import assert_records, libraries, to_numpy

D_MODEL, N_EXPERTS, TOKENS = 6, 4, 12


def expert_program(nn, F):
    class Expert(nn.Module):
        """A SwiGLU feed-forward expert (Mixtral's ``MixtralBlockSparseTop2MLP``)."""

        def __init__(self, hidden_dim, ffn_dim):
            super().__init__()
            self.w1 = nn.Linear(hidden_dim, ffn_dim, bias=False)
            self.w2 = nn.Linear(ffn_dim, hidden_dim, bias=False)
            self.w3 = nn.Linear(hidden_dim, ffn_dim, bias=False)

        def forward(self, hidden_states):
            current_hidden_states = F.silu(self.w1(hidden_states)) * self.w3(hidden_states)
            return self.w2(current_hidden_states)

    return Expert


# ------------------------------------------------------------------ GShard / fairscale
def gshard_program(torch, nn, F):
    Expert = expert_program(nn, F)

    def top1gating(logits, capacity_factor=1.0):
        """Implements Top1Gating on logits."""
        gates = F.softmax(logits, dim=1)
        num_tokens, num_experts = gates.shape
        capacity = math.ceil((num_tokens / num_experts) * capacity_factor)
        indices1_s = torch.argmax(gates, dim=1)
        mask1 = F.one_hot(indices1_s, num_classes=num_experts)
        exp_counts = torch.sum(mask1, dim=0).detach().to('cpu')
        # Compute l_aux
        me = torch.mean(gates, dim=0)
        ce = torch.mean(mask1.float(), dim=0)
        l_aux = torch.sum(me * ce) * num_experts
        # Compute locations in capacity buffer
        locations1 = torch.cumsum(mask1, dim=0) - 1
        # Remove locations outside capacity from mask
        mask1 *= torch.lt(locations1, capacity)
        # Store the capacity location for each token
        locations1_s = torch.sum(locations1 * mask1, dim=1)
        # Normalize gate probabilities
        mask1_float = mask1.float().type_as(gates)
        gates = gates * mask1_float
        locations1_sc = F.one_hot(locations1_s, num_classes=capacity).type_as(gates)
        combine_weights = torch.einsum("se,sc->sec", gates, locations1_sc)
        dispatch_mask = combine_weights.bool()
        return l_aux, combine_weights, dispatch_mask, exp_counts

    class MOELayer(nn.Module):
        def __init__(self, model_dim, num_experts, capacity_factor):
            super().__init__()
            self.wg = nn.Linear(model_dim, num_experts, bias=False)
            self.experts = nn.ModuleList([Expert(model_dim, 8) for _ in range(num_experts)])
            self.num_local_experts = num_experts
            self.capacity_factor = capacity_factor

        def forward(self, input):
            d_model = input.shape[-1]
            reshaped_input = input.reshape(-1, d_model)
            self.l_aux, combine_weights, dispatch_mask, self.exp_counts = top1gating(
                self.wg(reshaped_input), self.capacity_factor)
            dispatched_input = torch.einsum("sec,sm->ecm", dispatch_mask.type_as(input),
                                            reshaped_input)
            chunks = dispatched_input.chunk(self.num_local_experts, dim=0)
            expert_outputs = []
            for chunk, expert in zip(chunks, self.experts):
                expert_outputs += [expert(chunk)]
            expert_output = torch.cat(expert_outputs, dim=0)
            combined_output = torch.einsum("sec,ecm->sm", combine_weights.type_as(input),
                                           expert_output)
            return combined_output.reshape(input.shape)

    return MOELayer


def train_records(torch, layer, x, steps: int = 3) -> list:
    """Adam on mean(out^2) + 0.01 * the auxiliary loss; each step's output, auxiliary
    loss, expert counts and gradients."""
    _, _, _, optim = libraries(torch)
    optimizer = optim.Adam(layer.parameters(), lr=1e-2)
    records = []
    for _ in range(steps):
        out = layer(x)
        loss = (out ** 2).mean() + 0.01 * layer.l_aux
        optimizer.zero_grad()
        loss.backward()
        records += [out.detach().numpy(), layer.l_aux.item(), str(layer.exp_counts.tolist())]
        records += [str(None) if p.grad is None else p.grad.numpy().copy()  # an idle expert
                    for p in layer.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in layer.parameters()]


def both_layers(torch, program, *args) -> tuple:
    """PyTorch's layer and ours from the same state dict (ours inits on its own)."""
    torch.manual_seed(0)
    theirs = program(*libraries(torch)[:3])(*args)
    ag.manual_seed(0)
    ours = program(*libraries()[:3])(*args)
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    return ours, theirs


def test_gshard_top1_gating_with_capacity_as_torch(torch) -> None:
    x = np.random.default_rng(0).standard_normal((2, TOKENS // 2, D_MODEL))
    ours, theirs = both_layers(torch, gshard_program, D_MODEL, N_EXPERTS, 1.0)
    want = train_records(torch, theirs, torch.tensor(x))
    got = train_records(None, ours, ag.tensor(x))
    assert max(eval(want[2])) > math.ceil(TOKENS / N_EXPERTS)  # some tokens were dropped
    assert_records(got, want)


# ------------------------------------------------------------------ Switch Transformers
def switch_program(torch, nn, F):
    Expert = expert_program(nn, F)

    def router_z_loss_func(router_logits):
        num_groups, tokens_per_group, _ = router_logits.shape
        log_z = torch.logsumexp(router_logits, dim=-1)
        z_loss = log_z**2
        return torch.sum(z_loss) / (num_groups * tokens_per_group)

    def load_balancing_loss_func(router_probs, expert_indices):
        num_experts = router_probs.shape[-1]
        # cast the expert indices to int64, otherwise one-hot encoding will fail
        if expert_indices.dtype != torch.int64:
            expert_indices = expert_indices.to(torch.int64)
        if len(expert_indices.shape) == 2:
            expert_indices = expert_indices.unsqueeze(2)
        expert_mask = F.one_hot(expert_indices, num_experts)
        # For a given token, determine if it was routed to a given expert.
        expert_mask = torch.max(expert_mask, dim=-2).values  # axis=-2 in the original
        # cast to float32 otherwise mean will fail
        expert_mask = expert_mask.to(torch.float32)
        tokens_per_group_and_expert = torch.mean(expert_mask, axis=-2)
        router_prob_per_group_and_expert = torch.mean(router_probs, axis=-2)
        return torch.mean(tokens_per_group_and_expert * router_prob_per_group_and_expert) * (
            num_experts**2)

    class SwitchTransformersTop1Router(nn.Module):
        def __init__(self, hidden_size, num_experts, expert_capacity):
            super().__init__()
            self.num_experts = num_experts
            self.expert_capacity = expert_capacity
            self.classifier = nn.Linear(hidden_size, self.num_experts, bias=False)

        def _compute_router_probabilities(self, hidden_states):
            router_logits = self.classifier(hidden_states)
            # Apply Softmax and cast back to the original `dtype`
            router_probabilities = nn.functional.softmax(router_logits, dim=-1)
            return router_probabilities, router_logits

        def forward(self, hidden_states):
            router_probs, router_logits = self._compute_router_probabilities(hidden_states)
            expert_index = torch.argmax(router_probs, dim=-1)
            expert_index = F.one_hot(expert_index, num_classes=self.num_experts)
            # Mask tokens outside expert capacity. Sum over each sequence
            token_priority = torch.cumsum(expert_index, dim=-2)
            # mask if the token routed to to the expert will overflow
            expert_capacity_mask = token_priority <= self.expert_capacity
            expert_index = expert_index * expert_capacity_mask
            router_probs = torch.max(router_probs, dim=-1).values.unsqueeze(-1)
            return expert_index, router_probs, router_logits

    class SwitchTransformersSparseMLP(nn.Module):
        def __init__(self, d_model, num_experts, expert_capacity):
            super().__init__()
            self.router = SwitchTransformersTop1Router(d_model, num_experts, expert_capacity)
            self.experts = nn.ModuleDict()
            for idx in range(num_experts):
                self.experts[f"expert_{idx}"] = Expert(d_model, 8)

        def forward(self, hidden_states):
            router_mask, router_probs, router_logits = self.router(hidden_states)
            expert_index = torch.argmax(router_mask, dim=-1)
            # The routers introduced might not always map all the tokens, to a router,
            # which means that some hidden states can be unchanged from one layer to another.
            next_states = hidden_states.clone()
            router_mask = router_mask.bool()
            batch_size, seq_len, num_experts = router_mask.shape
            idx_mask = router_mask.reshape(batch_size * seq_len, num_experts).sum(dim=0)
            idx_mask = torch.nonzero(idx_mask, as_tuple=True)[0].tolist()
            for idx in idx_mask:
                next_states[router_mask[:, :, idx]] = getattr(self.experts, f"expert_{idx}")(
                    hidden_states[router_mask[:, :, idx]])
            hidden_states = router_probs * next_states
            # the layer's auxiliary losses, as SwitchTransformersForConditionalGeneration adds
            z_loss = router_z_loss_func(router_logits)
            aux_loss = load_balancing_loss_func(nn.functional.softmax(router_logits, dim=-1),
                                                expert_index)
            self.l_aux = 0.001 * z_loss + 0.001 * aux_loss
            self.exp_counts = router_mask.sum(dim=(0, 1))
            return hidden_states

    return SwitchTransformersSparseMLP


def test_switch_transformers_router_and_sparse_mlp_as_torch(torch) -> None:
    x = np.random.default_rng(1).standard_normal((2, TOKENS // 2, D_MODEL))
    ours, theirs = both_layers(torch, switch_program, D_MODEL, N_EXPERTS, 2)
    want = train_records(torch, theirs, torch.tensor(x))
    got = train_records(None, ours, ag.tensor(x))
    assert sum(eval(want[2])) < TOKENS  # some tokens passed unchanged (over capacity)
    assert_records(got, want)


# ------------------------------------------------------------------ Mixtral's top-2 block
def mixtral_program(torch, nn, F):
    Expert = expert_program(nn, F)

    def load_balancing_loss_func(gate_logits, num_experts, top_k=2):
        routing_weights = F.softmax(gate_logits, dim=-1)
        _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        expert_mask = F.one_hot(selected_experts, num_experts)
        # Compute the percentage of tokens routed to each experts
        tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
        # Compute the average probability of routing to these experts
        router_prob_per_expert = torch.mean(routing_weights, dim=0)
        overall_loss = torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0))
        return overall_loss * num_experts

    class MixtralSparseMoeBlock(nn.Module):
        def __init__(self, hidden_dim, num_experts, top_k, by_sort=False):
            super().__init__()
            self.hidden_dim, self.num_experts, self.top_k = hidden_dim, num_experts, top_k
            self.gate = nn.Linear(self.hidden_dim, self.num_experts, bias=False)
            self.experts = nn.ModuleList([Expert(hidden_dim, 8) for _ in range(num_experts)])
            self.by_sort = by_sort

        def forward(self, hidden_states):
            batch_size, sequence_length, hidden_dim = hidden_states.shape
            hidden_states = hidden_states.view(-1, hidden_dim)
            # router_logits: (batch * sequence_length, n_experts)
            router_logits = self.gate(hidden_states)

            routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float64)
            routing_weights, selected_experts = torch.topk(routing_weights, self.top_k, dim=-1)
            routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
            # we cast back to the input dtype
            routing_weights = routing_weights.to(hidden_states.dtype)

            final_hidden_states = torch.zeros(
                (batch_size * sequence_length, hidden_dim), dtype=hidden_states.dtype,
                device=hidden_states.device)
            if self.by_sort:
                self.sorted_dispatch(hidden_states, routing_weights, selected_experts,
                                     final_hidden_states)
            else:
                # One hot encode the selected experts to create an expert mask
                expert_mask = F.one_hot(selected_experts,
                                        num_classes=self.num_experts).permute(2, 1, 0)
                for expert_idx in range(self.num_experts):
                    expert_layer = self.experts[expert_idx]
                    idx, top_x = torch.where(expert_mask[expert_idx])
                    current_state = hidden_states[None, top_x].reshape(-1, hidden_dim)
                    current_hidden_states = expert_layer(current_state) * routing_weights[
                        top_x, idx, None]
                    final_hidden_states.index_add_(0, top_x,
                                                   current_hidden_states.to(hidden_states.dtype))
            final_hidden_states = final_hidden_states.reshape(batch_size, sequence_length,
                                                              hidden_dim)
            self.l_aux = load_balancing_loss_func(router_logits, self.num_experts, self.top_k)
            self.exp_counts = torch.bincount(selected_experts.flatten(),
                                             minlength=self.num_experts)
            return final_hidden_states

        def sorted_dispatch(self, hidden_states, routing_weights, selected_experts, out):
            """The routing by a stable sort of (token, slot) pairs by expert (megablocks'
            and many grouped-GEMM kernels' order), split by the experts' counts."""
            flat_experts = selected_experts.flatten()
            order = torch.argsort(flat_experts, stable=True)
            token_of = order // self.top_k
            counts = torch.bincount(flat_experts, minlength=self.num_experts).tolist()
            start = 0
            for expert_idx, count in enumerate(counts):
                tokens = token_of[start:start + count]
                weights = routing_weights.flatten()[order[start:start + count]]
                expert_out = self.experts[expert_idx](hidden_states.index_select(0, tokens))
                out.index_add_(0, tokens, expert_out * weights[:, None])
                start += count

    return MixtralSparseMoeBlock


def test_mixtral_sparse_top2_block_as_torch(torch) -> None:
    x = np.random.default_rng(2).standard_normal((2, TOKENS // 2, D_MODEL))
    for by_sort in (False, True):
        ours, theirs = both_layers(torch, mixtral_program, D_MODEL, N_EXPERTS, 2, by_sort)
        want = train_records(torch, theirs, torch.tensor(x))
        got = train_records(None, ours, ag.tensor(x))
        assert sum(eval(want[2])) == 2 * TOKENS
        assert_records(got, want)

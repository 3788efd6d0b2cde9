"""Neural collaborative filtering as guoyang9/NCF writes it (NeuMF: a GMF tower of
element-wise products and an MLP tower on concatenated embeddings, joined by
concatenation; BCE-with-logits on implicit feedback with sampled negatives; hit rate and
NDCG by ``torch.topk`` and ``torch.take``), and entity embeddings for a table's
categorical columns (one ``nn.Embedding`` per column, concatenated with batch-normed
numeric columns); written once for a library ``torch`` and run step for step next to
PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``m.bias.data.zero_()``: ``.data`` is a NumPy array here (by design), so the port writes
  ``nn.init.zeros_(m.bias)``, which both libraries have;
- ``torch.optim.Adam`` is ``optim.Adam`` (``torch.optim`` is ``nn.optim`` here), and the
  numeric columns are ``dtype=torch.float64`` (``torch.float`` there, the default dtype);
- random draws (negatives, shuffles) come from ``SharedRandom`` (the two generators
  differ); dropout is 0 so that no mask is drawn.
"""

import numpy as np

from recsys_helpers import assert_records, clicks, libraries, ratings, weight_sync


def neumf(torch, nn, F, optim, sync, record: list, epochs: int = 3, top_k: int = 3) -> None:
    torch.manual_seed(0)
    users, items, _ = ratings(n=40, seed=2)
    user_num, item_num = 12, 10

    class NCF(nn.Module):
        def __init__(self, user_num, item_num, factor_num, num_layers, dropout):
            super(NCF, self).__init__()
            self.dropout = dropout
            self.embed_user_GMF = nn.Embedding(user_num, factor_num)
            self.embed_item_GMF = nn.Embedding(item_num, factor_num)
            self.embed_user_MLP = nn.Embedding(user_num, factor_num * (2 ** (num_layers - 1)))
            self.embed_item_MLP = nn.Embedding(item_num, factor_num * (2 ** (num_layers - 1)))
            MLP_modules = []
            for i in range(num_layers):
                input_size = factor_num * (2 ** (num_layers - i))
                MLP_modules.append(nn.Dropout(p=self.dropout))
                MLP_modules.append(nn.Linear(input_size, input_size // 2))
                MLP_modules.append(nn.ReLU())
            self.MLP_layers = nn.Sequential(*MLP_modules)
            self.predict_layer = nn.Linear(factor_num * 2, 1)
            self._init_weight_()

        def _init_weight_(self):
            nn.init.normal_(self.embed_user_GMF.weight, std=0.01)
            nn.init.normal_(self.embed_user_MLP.weight, std=0.01)
            nn.init.normal_(self.embed_item_GMF.weight, std=0.01)
            nn.init.normal_(self.embed_item_MLP.weight, std=0.01)
            for m in self.MLP_layers:
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
            nn.init.kaiming_uniform_(self.predict_layer.weight, a=1, nonlinearity="sigmoid")
            for m in self.modules():
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.zeros_(m.bias)  # m.bias.data.zero_() there

        def forward(self, user, item):
            output_GMF = self.embed_user_GMF(user) * self.embed_item_GMF(item)
            interaction = torch.cat((self.embed_user_MLP(user), self.embed_item_MLP(item)), -1)
            output_MLP = self.MLP_layers(interaction)
            concat = torch.cat((output_GMF, output_MLP), -1)
            prediction = self.predict_layer(concat)
            return prediction.view(-1)

    model = NCF(user_num, item_num, factor_num=4, num_layers=2, dropout=0.0)
    sync(model)
    loss_function = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    positives = set(zip(users.tolist(), items.tolist()))
    for epoch in range(epochs):
        model.train()
        negatives = torch.randint(0, item_num, (len(users),))
        user = torch.tensor(np.concatenate([users, users]))
        item = torch.cat([torch.from_numpy(items), negatives])
        label = torch.cat([torch.ones(len(users)), torch.zeros(len(users))])
        label = label.masked_fill(torch.tensor([(int(u), int(i)) in positives for u, i in
                                                zip(user.tolist(), item.tolist())]), 1.0)
        for start in range(0, len(label), 32):
            model.zero_grad()
            prediction = model(user[start:start + 32], item[start:start + 32])
            loss = loss_function(prediction, label[start:start + 32])
            loss.backward()
            record += [loss, model.predict_layer.weight.grad, model.embed_item_GMF.weight.grad]
            optimizer.step()

        model.eval()
        HR, NDCG = [], []
        with torch.no_grad():
            for u in range(4):
                item = torch.arange(item_num)
                predictions = model(torch.full((item_num,), u, dtype=torch.long), item)
                _, indices = torch.topk(predictions, top_k)
                recommends = torch.take(item, indices).cpu().numpy().tolist()
                gt_item = int(items[users == u][0]) if (users == u).any() else 0
                HR.append(1 if gt_item in recommends else 0)
                NDCG.append(np.reciprocal(np.log2(recommends.index(gt_item) + 2))
                            if gt_item in recommends else 0)
                record.append(recommends)
        record += [float(np.mean(HR)), float(np.mean(NDCG))]


def test_neumf(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    neumf(*libraries(torch), theirs, want)
    neumf(*libraries(), ours, got)
    assert_records(got, want)


def entity_embeddings(torch, nn, F, optim, sync, record: list, epochs: int = 5) -> None:
    torch.manual_seed(33)
    cat_szs = [5, 7, 4]
    cats, conts, labels = clicks(n=40, cardinalities=tuple(cat_szs), seed=4)
    emb_szs = [(size, min(50, (size + 1) // 2)) for size in cat_szs]
    cats = torch.tensor(cats, dtype=torch.int64)
    conts = torch.tensor(conts, dtype=torch.float64)  # torch.float there: these runs are float64
    y = torch.tensor(labels).flatten().long()

    class TabularModel(nn.Module):
        def __init__(self, emb_szs, n_cont, out_sz, layers, p=0.5):
            super().__init__()
            self.embeds = nn.ModuleList([nn.Embedding(ni, nf) for ni, nf in emb_szs])
            self.emb_drop = nn.Dropout(p)
            self.bn_cont = nn.BatchNorm1d(n_cont)
            layerlist = []
            n_emb = sum((nf for ni, nf in emb_szs))
            n_in = n_emb + n_cont
            for i in layers:
                layerlist.append(nn.Linear(n_in, i))
                layerlist.append(nn.ReLU(inplace=True))
                layerlist.append(nn.BatchNorm1d(i))
                layerlist.append(nn.Dropout(p))
                n_in = i
            layerlist.append(nn.Linear(layers[-1], out_sz))
            self.layers = nn.Sequential(*layerlist)

        def forward(self, x_cat, x_cont):
            embeddings = []
            for i, e in enumerate(self.embeds):
                embeddings.append(e(x_cat[:, i]))
            x = torch.cat(embeddings, 1)
            x = self.emb_drop(x)
            x_cont = self.bn_cont(x_cont)
            x = torch.cat([x, x_cont], 1)
            x = self.layers(x)
            return x

    model = TabularModel(emb_szs, conts.shape[1], 2, [8, 4], p=0.0)
    sync(model)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)  # torch.optim.Adam there
    batch_size, test_size = 32, 8
    cat_train, cat_test = cats[:batch_size - test_size], cats[batch_size - test_size:batch_size]
    con_train, con_test = conts[:batch_size - test_size], conts[batch_size - test_size:batch_size]
    y_train, y_test = y[:batch_size - test_size], y[batch_size - test_size:batch_size]
    losses = []
    for i in range(epochs):
        y_pred = model(cat_train, con_train)
        loss = criterion(y_pred, y_train)
        losses.append(loss)
        optimizer.zero_grad()
        loss.backward()
        record += [loss, model.embeds[1].weight.grad, model.bn_cont.weight.grad]
        optimizer.step()
    with torch.no_grad():
        y_val = model(cat_test, con_test)
        loss = criterion(y_val, y_test)
    correct = sum(int(y_val[i].argmax().item() == y_test[i].item()) for i in range(len(y_test)))
    record += [loss, correct, model.bn_cont.running_mean, model.layers[2].running_var]
    record.append(torch.stack(losses).detach())


def test_entity_embeddings(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    entity_embeddings(*libraries(torch), theirs, want)
    entity_embeddings(*libraries(), ours, got)
    assert_records(got, want)

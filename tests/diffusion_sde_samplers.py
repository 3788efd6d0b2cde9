"""The sampling and likelihood cells of Yang Song's score SDE tutorial, for
``test_pytorch_ports_diffusion_sde.py`` (see its docstring for the lines written
differently): ``Euler_Maruyama_sampler``, ``pc_sampler``, ``ode_sampler``,
``prior_likelihood`` and ``ode_likelihood``, shrunk to 4 steps, 8x8 images, tolerance 1e-3."""

import numpy as np


def samplers(torch, integrate, score_model, marginal_prob_std_fn, diffusion_coeff_fn,
             images, device) -> dict:
    """Run the notebook's samplers and likelihood for the library ``torch``."""
    # torch.autograd.grad is autograd.grad here (a named error says so)
    autograd = torch if torch.__name__ == "autograd" else torch.autograd
    num_steps = 4
    signal_to_noise_ratio = 0.16
    error_tolerance = 1e-3

    def Euler_Maruyama_sampler(score_model, marginal_prob_std, diffusion_coeff,
                               batch_size=64, num_steps=num_steps, device='cuda', eps=1e-3):
        t = torch.ones(batch_size, device=device)
        init_x = torch.randn(batch_size, 1, 8, 8, device=device) \
            * marginal_prob_std(t)[:, None, None, None]
        time_steps = torch.linspace(1., eps, num_steps, device=device)
        step_size = time_steps[0] - time_steps[1]
        x = init_x
        with torch.no_grad():
            for time_step in time_steps:
                batch_time_step = torch.ones(batch_size, device=device) * time_step
                g = diffusion_coeff(batch_time_step)
                mean_x = x + (g**2)[:, None, None, None] * score_model(
                    x, batch_time_step) * step_size
                x = mean_x + torch.sqrt(step_size) * g[:, None, None, None] \
                    * torch.randn_like(x)
        # Do not include any noise in the last sampling step.
        return mean_x

    def pc_sampler(score_model, marginal_prob_std, diffusion_coeff, batch_size=64,
                   num_steps=num_steps, snr=signal_to_noise_ratio, device='cuda', eps=1e-3):
        t = torch.ones(batch_size, device=device)
        init_x = torch.randn(batch_size, 1, 8, 8, device=device) \
            * marginal_prob_std(t)[:, None, None, None]
        time_steps = np.linspace(1., eps, num_steps)
        step_size = time_steps[0] - time_steps[1]
        x = init_x
        with torch.no_grad():
            for time_step in time_steps:
                batch_time_step = torch.ones(batch_size, device=device) * time_step
                # Corrector step (Langevin MCMC)
                grad = score_model(x, batch_time_step)
                grad_norm = torch.norm(grad.reshape(grad.shape[0], -1), dim=-1).mean()
                noise_norm = np.sqrt(np.prod(x.shape[1:]))
                langevin_step_size = 2 * (snr * noise_norm / grad_norm)**2
                x = x + langevin_step_size * grad + torch.sqrt(2 * langevin_step_size) \
                    * torch.randn_like(x)
                # Predictor step (Euler-Maruyama)
                g = diffusion_coeff(batch_time_step)
                x_mean = x + (g**2)[:, None, None, None] * score_model(
                    x, batch_time_step) * step_size
                x = x_mean + torch.sqrt(g**2 * step_size)[:, None, None, None] \
                    * torch.randn_like(x)
            # The last step does not include any noise
            return x_mean

    def ode_sampler(score_model, marginal_prob_std, diffusion_coeff, batch_size=64,
                    atol=error_tolerance, rtol=error_tolerance, device='cuda', z=None,
                    eps=1e-3):
        t = torch.ones(batch_size, device=device)
        # Create the latent code
        if z is None:
            init_x = torch.randn(batch_size, 1, 8, 8, device=device) \
                * marginal_prob_std(t)[:, None, None, None]
        else:
            init_x = z
        shape = init_x.shape

        def score_eval_wrapper(sample, time_steps):
            """A wrapper of the score-based model for use by the ODE solver."""
            sample = torch.tensor(sample, device=device, dtype=torch.float64).reshape(shape)
            time_steps = torch.tensor(time_steps, device=device,
                                      dtype=torch.float64).reshape((sample.shape[0], ))
            with torch.no_grad():
                score = score_model(sample, time_steps)
            return score.cpu().numpy().reshape((-1,)).astype(np.float64)

        def ode_func(t, x):
            """The ODE function for use by the ODE solver."""
            time_steps = np.ones((shape[0],)) * t
            g = diffusion_coeff(torch.tensor(t)).cpu().numpy()
            return -0.5 * (g**2) * score_eval_wrapper(x, time_steps)

        # Run the black-box ODE solver.
        res = integrate.solve_ivp(ode_func, (1., eps), init_x.reshape(-1).cpu().numpy(),
                                  rtol=rtol, atol=atol, method='RK45')
        print(f"Number of function evaluations: {res.nfev}")
        x = torch.tensor(res.y[:, -1], device=device).reshape(shape)
        return x

    def prior_likelihood(z, sigma):
        """The likelihood of a Gaussian distribution with mean zero and
        standard deviation sigma."""
        shape = z.shape
        N = np.prod(shape[1:])
        return -N / 2. * torch.log(2*np.pi*sigma**2) - torch.sum(
            z**2, dim=(1, 2, 3)) / (2 * sigma**2)

    def ode_likelihood(x, score_model, marginal_prob_std, diffusion_coeff, batch_size=64,
                       device='cuda', eps=1e-5):
        # Draw the random Gaussian sample for Skilling-Hutchinson's estimator.
        epsilon = torch.randn_like(x)

        def divergence_eval(sample, time_steps, epsilon):
            """Compute the divergence of the score-based model with Skilling-Hutchinson."""
            with torch.enable_grad():
                sample.requires_grad_(True)
                score_e = torch.sum(score_model(sample, time_steps) * epsilon)
                grad_score_e = autograd.grad(score_e, sample)[0]
            return torch.sum(grad_score_e * epsilon, dim=(1, 2, 3))

        shape = x.shape

        def score_eval_wrapper(sample, time_steps):
            """A wrapper for evaluating the score-based model for the black-box ODE solver"""
            sample = torch.tensor(sample, device=device, dtype=torch.float64).reshape(shape)
            time_steps = torch.tensor(time_steps, device=device,
                                      dtype=torch.float64).reshape((sample.shape[0], ))
            with torch.no_grad():
                score = score_model(sample, time_steps)
            return score.cpu().numpy().reshape((-1,)).astype(np.float64)

        def divergence_eval_wrapper(sample, time_steps):
            """A wrapper for evaluating the divergence of score for the black-box solver"""
            with torch.no_grad():
                # Obtain x(t) by solving the probability flow ODE.
                sample = torch.tensor(sample, device=device,
                                      dtype=torch.float64).reshape(shape)
                time_steps = torch.tensor(time_steps, device=device,
                                          dtype=torch.float64).reshape((sample.shape[0], ))
                # Compute likelihood.
                div = divergence_eval(sample, time_steps, epsilon)
                return div.cpu().numpy().reshape((-1,)).astype(np.float64)

        def ode_func(t, x):
            """The ODE function for the black-box solver."""
            time_steps = np.ones((shape[0],)) * t
            sample = x[:-shape[0]]
            logp = x[-shape[0]:]  # noqa: F841 (the notebook's)
            g = diffusion_coeff(torch.tensor(t)).cpu().numpy()
            sample_grad = -0.5 * g**2 * score_eval_wrapper(sample, time_steps)
            logp_grad = -0.5 * g**2 * divergence_eval_wrapper(sample, time_steps)
            return np.concatenate([sample_grad, logp_grad], axis=0)

        init = np.concatenate([x.cpu().numpy().reshape((-1,)), np.zeros((shape[0],))],
                              axis=0)
        # Black-box ODE solver for the probability flow ODE
        res = integrate.solve_ivp(ode_func, (eps, 1.), init, rtol=1e-3, atol=1e-3,
                                  method='RK45')
        zp = torch.tensor(res.y[:, -1], device=device)
        z = zp[:-shape[0]].reshape(shape)
        delta_logp = zp[-shape[0]:].reshape(shape[0])
        sigma_max = marginal_prob_std(1.)
        prior_logp = prior_likelihood(z, sigma_max)
        bpd = -(prior_logp + delta_logp) / np.log(2)
        N = np.prod(shape[1:])
        bpd = bpd / N + 8.
        return z, bpd

    record = {}
    for name, sampler in [("euler", Euler_Maruyama_sampler), ("pc", pc_sampler),
                          ("ode", ode_sampler)]:
        samples = sampler(score_model, marginal_prob_std_fn, diffusion_coeff_fn, 4,
                          device=device)
        record[name] = samples.clamp(0.0, 1.0).numpy()
    x = torch.tensor(images)
    # uniform dequantization, as the notebook's likelihood cell
    x = (x * 255. + torch.rand_like(x)) / 256.
    z, bpd = ode_likelihood(x, score_model, marginal_prob_std_fn, diffusion_coeff_fn,
                            x.shape[0], device=device, eps=1e-5)
    record.update(z=z.numpy(), bpd=bpd.numpy())
    return record

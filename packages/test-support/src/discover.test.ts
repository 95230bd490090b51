import { describe, expect, it, vi, type Mock } from 'vitest';
import { discoverService, type ServiceSource } from './discover';

const LOCAL_URL = 'redis://127.0.0.1:6379';
const CONTAINER_URL = 'redis://127.0.0.1:49153';

interface FakeSource extends ServiceSource {
  readonly answers: Mock<(url: string) => Promise<boolean>>;
  readonly dockerAvailable: Mock<() => Promise<boolean>>;
  readonly startContainer: Mock<() => Promise<{ url: string; stop: () => Promise<unknown> }>>;
  readonly stopContainer: Mock<() => Promise<unknown>>;
}

/** A service source that does no I/O: every probe answers as told. */
function fakeSource({
  envValue,
  localAnswers = false,
  docker = false,
}: {
  envValue?: string;
  localAnswers?: boolean;
  docker?: boolean;
}): FakeSource {
  const stopContainer = vi.fn(() => Promise.resolve('stopped'));
  return {
    name: 'Redis',
    envVariable: 'REDIS_URL',
    envValue,
    localUrl: LOCAL_URL,
    answers: vi.fn((url: string) => Promise.resolve(localAnswers && url === LOCAL_URL)),
    dockerAvailable: vi.fn(() => Promise.resolve(docker)),
    startContainer: vi.fn(() => Promise.resolve({ url: CONTAINER_URL, stop: stopContainer })),
    stopContainer,
  };
}

describe('discoverService', () => {
  it('uses the environment variable when it is set, without probing anything', async () => {
    const source = fakeSource({
      envValue: 'redis://redis.internal:6380',
      localAnswers: true,
      docker: true,
    });
    const service = await discoverService(source);
    expect(service).toEqual({ url: 'redis://redis.internal:6380', origin: 'env' });
    expect(service.stop).toBeUndefined();
    expect(source.answers).not.toHaveBeenCalled();
    expect(source.dockerAvailable).not.toHaveBeenCalled();
    expect(source.startContainer).not.toHaveBeenCalled();
  });

  it('treats an empty environment variable as unset', async () => {
    const source = fakeSource({ envValue: '', localAnswers: true });
    await expect(discoverService(source)).resolves.toMatchObject({ origin: 'local' });
  });

  it('uses the local default when it answers, without asking for Docker', async () => {
    const source = fakeSource({ localAnswers: true, docker: true });
    const service = await discoverService(source);
    expect(service).toEqual({ url: LOCAL_URL, origin: 'local' });
    expect(source.answers).toHaveBeenCalledWith(LOCAL_URL);
    expect(source.dockerAvailable).not.toHaveBeenCalled();
    expect(source.startContainer).not.toHaveBeenCalled();
  });

  it('starts a container when the local default does not answer and Docker is available', async () => {
    const source = fakeSource({ localAnswers: false, docker: true });
    const service = await discoverService(source);
    expect(service).toMatchObject({ url: CONTAINER_URL, origin: 'container' });
    expect(source.answers).toHaveBeenCalledWith(LOCAL_URL);
    expect(source.startContainer).toHaveBeenCalledTimes(1);
  });

  it("passes the container's stop on to the caller", async () => {
    const source = fakeSource({ localAnswers: false, docker: true });
    const service = await discoverService(source);
    expect(service.stop).toBe(source.stopContainer);
    expect(source.stopContainer).not.toHaveBeenCalled();
    await expect(service.stop?.()).resolves.toBe('stopped');
    expect(source.stopContainer).toHaveBeenCalledTimes(1);
  });

  it('fails with a message naming the environment variable and the local URL when nothing is available', async () => {
    const source = fakeSource({ localAnswers: false, docker: false });
    const failure = discoverService(source);
    await expect(failure).rejects.toThrow(Error);
    await expect(failure).rejects.toThrow('REDIS_URL');
    await expect(failure).rejects.toThrow(LOCAL_URL);
    await expect(failure).rejects.toThrow('Redis');
    expect(source.startContainer).not.toHaveBeenCalled();
  });

  it('names the variable and URL of the service it was given', async () => {
    const source: ServiceSource = {
      ...fakeSource({}),
      name: 'PostgreSQL',
      envVariable: 'DATABASE_URL',
      localUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    };
    await expect(discoverService(source)).rejects.toThrow(
      /PostgreSQL[\s\S]*DATABASE_URL[\s\S]*postgres:\/\/postgres@127\.0\.0\.1:5432\/postgres/,
    );
  });

  it('lets a failure to start the container reach the caller', async () => {
    const source = fakeSource({ localAnswers: false, docker: true });
    source.startContainer.mockRejectedValueOnce(new Error('image pull failed'));
    await expect(discoverService(source)).rejects.toThrow('image pull failed');
  });
});
